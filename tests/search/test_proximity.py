"""The closeness check behind the re-ranking bonus (search.proximity)."""

from __future__ import annotations

from search.proximity import in_order_within


def test_words_in_order_within_slop():
    assert in_order_within([[3], [4]], 1)            # adjacent: a phrase
    assert not in_order_within([[3], [5]], 1)
    assert in_order_within([[3], [9]], 6)
    assert not in_order_within([[3], [10]], 6)


def test_order_matters_and_every_word_must_chain():
    assert not in_order_within([[5], [3]], 6)          # "b a" is not "a b"
    assert in_order_within([[1, 20], [22], [25]], 6)   # a@20 b@22 c@25
    assert not in_order_within([[1], [4], [30]], 6)    # c too far from b
    assert not in_order_within([[1], [], [3]], 6)


def test_a_repeated_word_needs_a_second_occurrence():
    assert not in_order_within([[7], [7]], 6)
    assert in_order_within([[7, 9], [7, 9]], 6)
