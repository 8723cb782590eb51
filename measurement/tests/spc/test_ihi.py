"""IHI run chart rules (``method: ihi``).

Source: R. J. Perla, L. P. Provost, S. K. Murray, "The run chart: a simple
analytical tool for learning from variation in healthcare processes", BMJ Qual
Saf 2011;20:46-51 -- rule 1 (shift: six or more consecutive points on one side
of the median; points on the median neither add to nor break it), rule 2
(trend: five or more points all going up or all going down; like values do not
make or break a trend), rule 3 (too few or too many runs, Table 1). The series
below are built by hand to exercise each rule; the Table 1 rows used here
(n = 10, 14, 20) are among those corroborated by an independent transcription
(see docs/spc.md on the table's provenance).
"""

from __future__ import annotations

from measurement.spc import analyse
from measurement.spc.ihi import RUNS_TABLE, shifts, trends


def test_shift_of_six_with_a_point_on_the_median_inside():
    """Median 5 (points 5, 7 and 15 are on it). Points 8-14 are all above: 7
    points. Points 1-4 and 6 are below -- 5 points across the on-median point 5,
    one short of a shift."""
    y = [1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 6, 8, 9, 5]
    out = analyse(chart="run", y=y, method="ihi")
    assert out["points"][0]["cl"] == 5
    assert out["shifts"] == [{"part": 1, "side": "above", "positions": list(range(8, 15))}]


def test_on_median_points_do_not_break_a_shift():
    sides = [1, 1, 1, 0, 1, 1, 1, -1]
    assert shifts(sides, list(range(1, 9))) == [[1, 2, 3, 5, 6, 7]]
    assert shifts([1] * 5 + [-1] * 5, list(range(1, 11))) == []


def test_trend_counts_equal_neighbours_once():
    """1, 2, 2, 3, 4, 5 rises through five distinct values: a trend of five that
    spans all six points; 1, 2, 2, 3, 4 is only four distinct values."""
    assert trends([1, 2, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]) == [(1, [1, 2, 3, 4, 5, 6])]
    assert trends([1, 2, 2, 3, 4], [1, 2, 3, 4, 5]) == []
    # A fall after a peak: the peak belongs to both the rise and the fall.
    assert trends([1, 2, 3, 4, 5, 4, 3, 2, 1], list(range(1, 10))) == [
        (1, [1, 2, 3, 4, 5]),
        (-1, [5, 6, 7, 8, 9]),
    ]


def test_trends_are_reported_with_positions_and_direction():
    y = [5, 9, 8, 7, 7, 6, 4, 6, 5, 6, 5, 6]
    out = analyse(chart="run", y=y, method="ihi")
    assert out["trends"] == [{"part": 1, "direction": "down", "positions": [2, 3, 4, 5, 6, 7]}]


def test_runs_table_too_few_and_too_many():
    """Table 1: 20 useful observations expect 6 to 16 runs; 14 expect 4 to 12."""
    too_few = [1] * 10 + [10] * 10  # 2 runs (median 5.5)
    assert RUNS_TABLE[20] == (6, 16)
    part = analyse(chart="run", y=too_few, method="ihi")["parts"][0]
    assert (part["n_runs"], part["runs_lower_limit"], part["runs_upper_limit"]) == (2, 6, 16)
    assert part["too_few_runs"] is True and part["too_many_runs"] is False
    assert part["runs_signal"] is True

    alternating = [1, 10] * 7  # 14 useful points, 14 runs > 12
    part = analyse(chart="run", y=alternating, method="ihi")["parts"][0]
    assert (part["n_runs"], part["runs_upper_limit"]) == (14, 12)
    assert part["too_many_runs"] is True


def test_runs_table_not_assessed_outside_its_range():
    part = analyse(chart="run", y=[1, 3, 2, 4, 3, 5, 2, 6], method="ihi")["parts"][0]
    assert part["runs_lower_limit"] is None and part["too_few_runs"] is None
    assert part["runs_signal"] is False


def test_runs_table_rows_beyond_26_are_not_assessed_but_shifts_are():
    # Rows 27-60 of Table 1 could not be verified (docs/spc.md): no runs verdict,
    # but a shift of 15 points below and 15 above is still found.
    y = [1] * 15 + [10] * 15
    out = analyse(chart="run", y=y, method="ihi")
    part = out["parts"][0]
    assert part["n_runs"] == 2
    assert part["runs_lower_limit"] is None and part["too_few_runs"] is None
    assert [s["side"] for s in out["shifts"]] == ["below", "above"]
    assert part["runs_signal"] is True
    assert max(RUNS_TABLE) == 26


def test_random_looking_series_has_no_ihi_signal():
    y = [5, 7, 4, 6, 8, 3, 6, 5, 7, 4, 6, 5]
    out = analyse(chart="run", y=y, method="ihi")
    assert out["shifts"] == [] and out["trends"] == []
    part = out["parts"][0]
    # Median 5.5: 12 useful points in 11 runs; Table 1 allows 3 to 11 for 12.
    assert (part["n_runs"], part["runs_lower_limit"], part["runs_upper_limit"]) == (11, 3, 11)
    assert part["too_few_runs"] is False and part["too_many_runs"] is False
    assert part["runs_signal"] is False


def test_ihi_rules_run_per_part_and_skip_excluded_points():
    y = [1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 1, 2, 3, 4]
    out = analyse(chart="run", y=y, method="ihi", part=[7], exclude=[3])
    # Part 1 is 1, 2, (3 excluded), 4, 5, 6, 7: a trend of 6 included points.
    assert out["trends"] == [{"part": 1, "direction": "up", "positions": [1, 2, 4, 5, 6, 7]}]
    assert [p["part"] for p in out["parts"]] == [1, 2]
