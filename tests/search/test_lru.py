"""LruCache: recency order, budgets by count and by weight, None as a value."""

from __future__ import annotations

import threading

from search.lru import MISSING, LruCache


def test_least_recently_used_goes_first():
    cache = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now "b" is the least recently used
    cache.put("c", 3)
    assert cache.get("b") is MISSING
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)


def test_none_is_a_value_and_a_kept_value_stays():
    cache = LruCache(3)
    cache.put("absent", None)
    assert cache.get("absent") is None and cache.get("other") is MISSING
    cache.put("k", "first")
    cache.put("k", "second")
    assert cache.get("k") == "first" and len(cache) == 2


def test_weighted_budget_evicts_until_it_fits():
    cache = LruCache(10, weigh=len)
    cache.put(1, "xxxx")
    cache.put(2, "xxxx")
    cache.put(3, "xxxxxx")  # 14 > 10: the oldest (1) goes, 10 left
    assert [cache.get(k) is MISSING for k in (1, 2, 3)] == [True, False, False]
    cache.put(4, "x" * 11)  # heavier than the whole budget: nothing can stay
    assert len(cache) == 0


def test_threads_share_one_cache():
    cache = LruCache(100)

    def work(base):
        for i in range(2000):
            cache.put((base, i % 150), i)
            cache.get((base, (i * 7) % 150))

    threads = [threading.Thread(target=work, args=(b,)) for b in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 100
