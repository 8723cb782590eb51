"""Runs analysis, baselines, parts, gaps and the edge cases of the issue.

Rules from qicharts2 ``runs.analysis()`` and ``qic.agg()`` (anhoej/qicharts2
R/helper.functions.R, 0.8.x) and DOMAIN.md section 2: points on the centre line
are dropped (n_useful counts the rest), excluded points are left out of the
centre line, limits and runs analysis but still drawn and tested, ``freeze``
fixes the centre line on the first points while the runs analysis covers the
whole part, parts are analysed separately and ``freeze`` is then ignored. Small
series are worked by hand in each docstring.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from measurement.spc import analyse
from measurement.spc.rmath import qbinom_05, r_mean, r_median


def part_of(out, k=0):
    return out["parts"][k]


def test_points_on_the_median_are_not_useful():
    """y = 1..9: median 5, point 5 is on it -> 8 useful points, runs
    (1-4 below, 6-9 above): longest 4, 1 crossing; n=8: max run
    round(log2(8)) + 3 = 6, min crossings qbinom(0.05, 7, 0.5) = 1 (P(X <= 1) =
    8/128 = 0.0625) -> no signal."""
    part = part_of(analyse(chart="run", y=list(range(1, 10))))
    assert part == {
        "part": 1,
        "n_obs": 9,
        "n_useful": 8,
        "longest_run": 4,
        "longest_run_max": 6,
        "n_crossings": 1,
        "n_crossings_min": 1,
        "runs_signal": False,
    }


def test_a_point_on_the_line_neither_counts_nor_breaks_a_run():
    """Median of [1, 1, 3, 2, 3, 3, 1, 2, 1] is 2: points 4 and 8 are on it; the
    3s around point 4 (points 3, 5, 6) form one run of three; the 1s around
    point 8 one run of two: 7 useful points, 3 runs, 2 crossings."""
    part = part_of(analyse(chart="run", y=[1, 1, 3, 2, 3, 3, 1, 2, 1]))
    assert (part["n_useful"], part["longest_run"], part["n_crossings"]) == (7, 3, 2)


@pytest.mark.parametrize(
    ("y", "expected"),
    [
        ([7.0], (1, 0, None, None, None, None)),  # the single point is the median
        ([7.0, None, None], (3, 0, None, None, None, None)),  # gaps count in n_obs
        ([7.0, 9.0], (2, 2, 1, 4, 1, 0)),  # median 8: two useful points
        ([None, None], (2, 0, None, None, None, None)),  # nothing at all
    ],
)
def test_fewer_than_two_useful_points(y, expected):
    """With no useful point the counts are missing and there is no signal (R's
    runs.analysis); with 2: max run round(log2(2)) + 3 = 4, min crossings
    qbinom(0.05, 1, 0.5) = 0."""
    part = part_of(analyse(chart="run", y=y))
    got = (
        part["n_obs"],
        part["n_useful"],
        part["longest_run"],
        part["longest_run_max"],
        part["n_crossings"],
        part["n_crossings_min"],
    )
    assert got == expected
    assert part["runs_signal"] is False


@pytest.mark.parametrize(
    ("chart", "kwargs"),
    [
        ("run", {"y": [0.1] * 12}),
        ("i", {"y": [0.1] * 12}),
        ("c", {"y": [3] * 12}),
        ("p", {"y": [1] * 12, "n": [3] * 12}),  # 1/3 is not exact in binary
        ("u", {"y": [7] * 12, "n": [10] * 12}),
    ],
)
def test_all_values_equal_are_on_the_centre_line(chart, kwargs):
    """Every point equals the centre line exactly (R's long-double mean returns
    0.1 for twelve 0.1s; sum(y)/sum(n) equals y_i/n_i), so nothing is useful,
    nothing signals; for an I chart the screened moving ranges are all dropped
    (mr < 3.267 x 0 keeps none) so, as in qicharts2, there are no limits."""
    out = analyse(chart=chart, **kwargs)
    assert all(p["y"] == p["cl"] for p in out["points"])
    assert part_of(out)["n_useful"] == 0
    assert part_of(out)["runs_signal"] is False
    assert not any(p["sigma_signal"] for p in out["points"])
    if chart == "i":
        assert out["points"][0]["ucl"] is None


def test_all_equal_i_chart_without_screening_has_zero_width_limits():
    out = analyse(chart="i", y=[0.1] * 12, screen_mr=False)
    point = out["points"][0]
    assert point["lcl"] == point["ucl"] == point["cl"] == 0.1


def test_r_mean_and_median_match_r_semantics():
    """R's mean() (long-double sum, then a correction pass) and median() (exact
    midpoint of the two middle values) -- values where naive double arithmetic
    is off by one ulp."""
    x = np.array([[0.1] * 10 + [np.nan], [0.1, 0.2, 0.3] + [np.nan] * 8])
    mask = ~np.isnan(x)
    assert r_mean(x, mask)[0] == 0.1  # np.mean gives 0.09999999999999999
    assert r_mean(x, mask)[1] == 0.2  # (0.1 + 0.2 + 0.3) / 3 in doubles is 0.20000000000000004
    pair = np.array([[0.1, 0.2]])
    assert r_median(pair, np.ones_like(pair, dtype=bool))[0] == 0.15000000000000002


def test_qbinom_matches_scipy_and_r_round_is_half_even():
    """qbinom(0.05, m, 0.5) computed exactly equals scipy's binom.ppf for m = 0..400."""
    for m in range(401):
        assert qbinom_05(m) == int(binom.ppf(0.05, m, 0.5))
    assert np.rint(2.5) == 2.0 and np.rint(3.5) == 4.0  # what R's round() does


def test_frozen_baseline():
    """freeze = 6: CL = median of points 1-6 = 2.5; the runs analysis still
    covers all 14 points, which sit above it from point 7 on: a run of 8 against
    a limit of round(log2(14)) + 3 = 7 -> signal."""
    y = [3, 1, 4, 2, 3, 2, 8, 9, 7, 8, 9, 10, 11, 9]
    out = analyse(chart="run", y=y, freeze=6)
    assert {p["cl"] for p in out["points"]} == {2.5}
    assert [p["baseline"] for p in out["points"]] == [True] * 6 + [False] * 8
    part = part_of(out)
    assert (part["n_obs"], part["n_useful"], part["longest_run"]) == (14, 14, 8)
    assert (part["longest_run_max"], part["n_crossings"], part["n_crossings_min"]) == (7, 6, 4)
    assert part["runs_signal"] is True


def test_frozen_i_chart_uses_baseline_moving_ranges_only():
    y = [10.0, 12.0, 11.0, 13.0, 12.0, 30.0, 31.0, 29.0]
    out = analyse(chart="i", y=y, freeze=5)
    base = np.array(y[:5])
    cl = base.mean()
    amr = np.abs(np.diff(base - cl)).mean()
    point = out["points"][-1]
    assert point["cl"] == pytest.approx(cl)
    assert point["ucl"] == pytest.approx(cl + 3 * amr / 1.128)
    assert [p["sigma_signal"] for p in out["points"]] == [False] * 5 + [True] * 3


def test_parts_recompute_everything_and_ignore_freeze():
    """part = [5]: two parts with their own median and runs analysis; freeze is
    ignored (every point is baseline), as in qic() when part is given."""
    y = [1, 3, 2, 4, 3, 10, 12, 11, 13, 12, 14]
    out = analyse(chart="run", y=y, part=[5], freeze=3)
    assert [p["part"] for p in out["points"]] == [1] * 5 + [2] * 6
    assert [p["cl"] for p in out["points"]] == [3] * 5 + [12] * 6
    assert all(p["baseline"] for p in out["points"])
    # Points 2 and 5 sit on the first median, points 7 and 10 on the second.
    assert [(p["part"], p["n_obs"], p["n_useful"]) for p in out["parts"]] == [
        (1, 5, 3),
        (2, 6, 4),
    ]


def test_excluded_points_leave_the_centre_line_and_runs_but_are_tested():
    """Exclude the outlier (point 4): the mean of the other 7 is 10; point 4 is
    not in the runs analysis (n_obs 7) but is still flagged by the limits."""
    y = [9.0, 11.0, 10.0, 50.0, 9.0, 11.0, 10.0, 10.0]
    out = analyse(chart="i", y=y, exclude=[4])
    point = out["points"][3]
    assert point["included"] is False and point["y"] == 50.0
    assert point["cl"] == pytest.approx(10.0)
    assert point["sigma_signal"] is True
    assert part_of(out)["n_obs"] == 7
    # The excluded point is removed before differencing: 10 -> 9 is a range.
    kept = np.array([9.0, 11.0, 10.0, 9.0, 11.0, 10.0, 10.0])
    amr = np.abs(np.diff(kept - 10.0)).mean()
    assert point["ucl"] == pytest.approx(10.0 + 3 * amr / 1.128)


def test_a_gap_is_missing_and_not_bridged_by_a_moving_range():
    """A null y is a gap: no y, no runs membership, and the two moving ranges
    touching it are missing (qicharts2 keeps NA in place before diff())."""
    y = [10.0, 12.0, None, 20.0, 21.0, 19.0]
    out = analyse(chart="i", y=y)
    values = np.array([10.0, 12.0, 20.0, 21.0, 19.0])
    cl = values.mean()
    amr = np.mean([2.0, 1.0, 2.0])  # |12-10|, |21-20|, |19-21|; not |20-12|
    assert out["points"][2]["y"] is None
    assert out["points"][0]["ucl"] == pytest.approx(cl + 3 * amr / 1.128)
    assert part_of(out)["n_obs"] == 6 and part_of(out)["n_useful"] == 5


def test_a_null_n_is_a_gap_too():
    out = analyse(chart="p", y=[5, 6, 7, 5], n=[50, None, 50, 50])
    point = out["points"][1]
    assert point["y"] is None and point["ucl"] is None and point["lcl"] is None
    assert out["points"][0]["cl"] == pytest.approx(17 / 150)


def test_mr_chart():
    """qic.mr: ranges over all points of the part (first missing), CL = mean of
    the baseline ranges, UCL = 3.267 CL, 2-sigma line 3.267/3*2 CL, LCL 0; no
    runs signal on an MR chart."""
    y = [5.0, 7.0, 6.0, 9.0, 8.0, 8.0, 12.0, 7.0, 7.0, 6.0, 8.0, 9.0]
    out = analyse(chart="mr", y=y)
    ranges = np.abs(np.diff(y))
    assert out["points"][0]["y"] is None
    assert [p["y"] for p in out["points"][1:]] == pytest.approx(list(ranges))
    point = out["points"][1]
    assert point["cl"] == pytest.approx(ranges.mean())
    assert point["ucl"] == pytest.approx(3.267 * ranges.mean())
    assert point["ucl95"] == pytest.approx(3.267 / 3 * 2 * ranges.mean())
    assert point["lcl"] == 0.0 and point["lcl95"] == 0.0
    assert part_of(out)["runs_signal"] is False


def test_run_chart_with_denominators_plots_the_ratio():
    """qic() with n and the default chart plots y/n against its median."""
    out = analyse(chart="run", y=[1, 2, 3, 4], n=[10, 10, 10, 10], multiply=100)
    assert [p["y"] for p in out["points"]] == pytest.approx([10, 20, 30, 40])
    assert out["points"][0]["cl"] == pytest.approx(25)
    assert out["points"][0]["ucl"] is None


def test_c_chart_lcl_is_clipped_at_zero():
    out = analyse(chart="c", y=[1, 0, 2, 1, 0, 3, 1, 1])
    point = out["points"][0]
    assert point["cl"] == pytest.approx(9 / 8)
    assert point["lcl"] == 0.0 and point["lcl95"] == 0.0
    assert point["ucl"] == pytest.approx(9 / 8 + 3 * np.sqrt(9 / 8))
