"""A thread-safe least-recently-used map, for what searches share across requests.

Several things read from a segment are worth keeping between searches (decoded posting
lists, rare terms' postings, a field's word forms, document frequencies); each is kept
in one :class:`LruCache`, which evicts what was used longest ago once a budget is
spent. The budget counts entries, or whatever ``weigh`` says a value costs (postings,
for posting lists of very different lengths).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

__all__ = ["MISSING", "LruCache"]

#: What :meth:`LruCache.get` returns for a key it does not hold (``None`` can be a value).
MISSING: Any = object()


class LruCache:
    """At most *budget* units of values by key, the least recently used evicted first.

    :param budget: how many units the values may weigh together.
    :param weigh: a value's weight; 1 for every value by default.
    """

    def __init__(self, budget: int, weigh: Callable[[Any], int] | None = None):
        self._budget = budget
        self._weigh = weigh
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Any:
        """The value kept under *key* (now the most recently used), or :data:`MISSING`."""
        with self._lock:
            found = self._items.get(key, MISSING)
            if found is not MISSING:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Any) -> None:
        """Keep *value* under *key* (a value kept already stays), evicting the least
        recently used values while the budget is exceeded."""
        weight = 1 if self._weigh is None else self._weigh(value)
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._used += weight
            while self._used > self._budget and self._items:
                _, old = self._items.popitem(last=False)
                self._used -= 1 if self._weigh is None else self._weigh(old)
