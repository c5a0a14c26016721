"""The hits-per-year histogram layout."""

from __future__ import annotations

from web.histogram import BAR_WIDTH, GAP, PLOT_HEIGHT, SIDE_PAD, TOP_PAD, WIDE_BAR, year_histogram


def test_one_bar_per_year_with_empty_years_in_between():
    h = year_histogram([("2009", 5), ("2006", 10), ("not a year", 99)])
    assert [(b.year, b.count) for b in h.bars] == [
        ("2006", 10),
        ("2007", 0),
        ("2008", 0),
        ("2009", 5),
    ]
    assert [b.x for b in h.bars] == [SIDE_PAD + i * (WIDE_BAR + GAP) for i in range(4)]
    assert h.width == 4 * (WIDE_BAR + GAP) - GAP + 2 * SIDE_PAD
    assert h.max_count == 10
    assert not h.dense


def test_heights_are_proportional_and_small_counts_stay_visible():
    h = year_histogram([("2000", 1000), ("2001", 500), ("2002", 1)])
    tall, half, tiny = h.bars
    assert (tall.height, half.height, tiny.height) == (PLOT_HEIGHT, PLOT_HEIGHT // 2, 2)
    # Bars stand on the baseline.
    assert {b.y + b.height for b in h.bars} == {TOP_PAD + PLOT_HEIGHT} == {h.baseline}


def test_labels_every_year_when_few_else_every_fifth():
    few = year_histogram([("2001", 1), ("2004", 1)])
    assert [b.label for b in few.bars] == [True, True, True, True]
    many = year_histogram([("1989", 1), ("2010", 1)])
    assert [b.year for b in many.bars if b.label] == ["1990", "1995", "2000", "2005", "2010"]
    assert many.dense
    assert {b.width for b in many.bars} == {BAR_WIDTH}
    assert many.width == 22 * (BAR_WIDTH + GAP) - GAP + 2 * SIDE_PAD


def test_nothing_to_draw():
    assert year_histogram([]) is None
    assert year_histogram([("2006", 0)]) is None
