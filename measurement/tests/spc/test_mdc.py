"""NHS "Making Data Count" variant (``method: mdc``) against NHSRplotthedots.

Sources (nhs-r-community/NHSRplotthedots):

* R/ptd_spc_standard.R -- limits mean -/+ 2.66 x mean MR, "near" lines at
  2/3 of that, moving ranges screened when >= 3.267 x mean MR (screen_outliers,
  on by default);
* tests/testthat/test-ptd_spc_standard.R and its published snapshot
  tests/testthat/_snaps/ptd_spc.md: ``set.seed(123); y = rnorm(20)`` gives
  mean 0.142, lpl -3.01, upl 3.29 and 20 common-cause points; with
  ``y[15] <- 10`` screening changes both limits and narrows them; a symmetric
  series with two points near opposite limits is common cause;
* tests/testthat/test-ptd_calculate_point_type.R -- the rule vectors for 7
  points on one side, 7-point trends and 2-of-3 near the limits, reused below;
* R/ptd_calculate_point_type.R and R/ptd_calculate_assurance_type.R -- which
  rule wins, improvement/concern from the direction, and the assurance icon.
"""

from __future__ import annotations

import numpy as np
import pytest

from measurement.spc import analyse
from measurement.spc.mdc import _seven_one_side, _seven_trend, _two_in_three

from .rrandom import RRandom


@pytest.fixture(scope="module")
def nhsr_y() -> list[float]:
    return RRandom(123).rnorm(20).tolist()


def test_published_limits_for_the_seed_123_series(nhsr_y):
    """mean 0.142, lpl -3.01, upl 3.29 (NHSRplotthedots snapshot), 20 common cause."""
    out = analyse(chart="i", y=nhsr_y, method="mdc", direction="up")
    point = out["points"][0]
    assert point["cl"] == pytest.approx(0.142, abs=5e-4)
    assert point["lcl"] == pytest.approx(-3.01, abs=5e-3)
    assert point["ucl"] == pytest.approx(3.29, abs=5e-3)
    assert not any(p["special_cause"] for p in out["points"])
    assert all(p["special_cause_type"] == "neither" for p in out["points"])
    assert out["variation_icon"] == "common_cause"


def test_mdc_limits_are_the_nhsr_formula(nhsr_y):
    """mean -/+ 2.66 x screened mean MR (not qicharts2's 3 / 1.128 = 2.6596)."""
    y = np.array(nhsr_y)
    mr = np.abs(np.diff(y))
    amr = mr[mr < 3.267 * mr.mean()].mean()
    mdc = analyse(chart="i", y=nhsr_y, method="mdc")["points"][0]
    assert mdc["ucl"] == pytest.approx(y.mean() + 2.66 * amr, rel=1e-9)
    assert mdc["ucl95"] == pytest.approx(y.mean() + 2 * (2.66 / 3) * amr, rel=1e-9)
    plain = analyse(chart="i", y=nhsr_y)["points"][0]
    assert plain["ucl"] == pytest.approx(y.mean() + 3 / 1.128 * amr, rel=1e-9)


def test_screening_outliers_changes_and_narrows_the_limits(nhsr_y):
    """test-ptd_spc_standard.R: with y[15] <- 10 the screened and unscreened
    limits differ from each other and from the original; unscreened is wider."""
    y = list(nhsr_y)
    y[14] = 10.0
    r1 = analyse(chart="i", y=nhsr_y, method="mdc")["points"][0]
    r2 = analyse(chart="i", y=y, method="mdc")["points"][0]
    r3 = analyse(chart="i", y=y, method="mdc", screen_mr=False)["points"][0]
    assert len({r1["lcl"], r2["lcl"], r3["lcl"]}) == 3
    assert len({r1["ucl"], r2["ucl"], r3["ucl"]}) == 3
    assert r3["ucl"] - r3["lcl"] > r2["ucl"] - r2["lcl"]


def test_two_near_limits_on_opposite_sides_are_common_cause():
    """test-ptd_spc_standard.R: 1, -1 repeated, then 5.5 and -5.5 at points 15-16."""
    y = [1.0, -1.0] * 8
    y[14], y[15] = 5.5, -5.5
    out = analyse(chart="i", y=y, method="mdc", direction="up")
    assert [p["special_cause"] for p in out["points"][-2:]] == [False, False]


def test_rule_vectors_from_nhsrplotthedots_tests():
    """Expected values from test-ptd_calculate_point_type.R (ends of a pattern
    there; here every point that belongs to one)."""
    # 7 on one side: c(rep(1, 8), -1) ends at points 7 and 8 -> points 1-8.
    assert list(_seven_one_side(np.array([1] * 8 + [-1]))) == [True] * 8 + [False]
    assert not _seven_one_side(np.array([1] * 6 + [-1])).any()
    # 7-point trends: 1:7 up; c(1:3, 3:6) broken by the tie; c(2, 1:7, 3); 7:1 down.
    member, direction = _seven_trend(np.arange(1.0, 8.0))
    assert member.all() and (direction == 1).all()
    assert not _seven_trend(np.array([1.0, 2, 3, 3, 4, 5, 6]))[0].any()
    member, _ = _seven_trend(np.array([2.0, 1, 2, 3, 4, 5, 6, 7, 3]))
    assert list(member) == [False] + [True] * 7 + [False]
    member, direction = _seven_trend(np.arange(7.0, 0.0, -1.0))
    assert member.all() and (direction == -1).all()
    # 2 of 3 near a limit on the same side (side all +1 here).
    side = np.ones(7, dtype=np.int64)
    close = np.array([0, 0, 1, 0, 1, 0, 0], dtype=bool)
    assert list(_two_in_three(close, side)) == list(close)
    assert not _two_in_three(np.array([1, 0, 0, 1], dtype=bool), np.ones(4, int)).any()
    close = np.array([1, 0, 0, 1, 1], dtype=bool)
    assert list(_two_in_three(close, np.ones(5, int))) == [False, False, False, True, True]


def shifted_series() -> list[float]:
    """12 points around 10, then 8 points clearly above: a shift, no outlier."""
    base = [10.0, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9, 10.4, 9.6, 10.3, 9.7, 10.0]
    return base + [10.9, 11.1, 10.8, 11.2, 10.9, 11.0, 11.1, 10.8]


@pytest.mark.parametrize(
    ("direction", "kind", "icon"),
    [
        ("up", "improvement", "special_cause_improvement_high"),
        ("down", "concern", "special_cause_concern_high"),
        (None, "neither", "special_cause_neither_high"),
    ],
)
def test_shift_above_the_mean_and_the_variation_icon(direction, kind, icon):
    out = analyse(chart="i", y=shifted_series(), method="mdc", direction=direction, freeze=12)
    last = out["points"][-1]
    assert last["special_cause"] is True
    assert last["special_cause_rule"] in {"shift", "outside_limits"}
    assert last["special_cause_type"] == kind
    assert out["variation_icon"] == icon
    assert out["parts"][0]["runs_signal"] is True


def test_falling_trend_with_direction_down_is_improvement():
    y = [20.0, 21.0, 19.0, 20.5, 19.5, 20.0, 18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0]
    out = analyse(chart="i", y=y, method="mdc", direction="down", screen_mr=False)
    falling = out["points"][5:]  # points 6-13 fall without a tie: 8 points
    assert all(p["special_cause"] for p in falling)
    assert {p["special_cause_type"] for p in falling} == {"improvement"}
    # Outside the limits wins over the trend (NHSR's case_when order).
    rules = [p["special_cause_rule"] for p in falling]
    assert rules[:5] == ["trend"] * 5 and rules[-1] == "outside_limits"
    assert out["variation_icon"] == "special_cause_improvement_low"


@pytest.mark.parametrize(
    ("direction", "target", "icon"),
    [
        ("up", 100.0, "consistent_fail"),  # target above the UCL: never met
        ("up", -100.0, "consistent_pass"),  # target below the LCL: always met
        ("down", 100.0, "consistent_pass"),
        ("down", -100.0, "consistent_fail"),
        ("up", 0.5, "inconsistent"),  # target inside the limits: hit and miss
        (None, 0.5, None),  # no direction: no assurance (NHSR: neutral)
    ],
)
def test_assurance_icon(nhsr_y, direction, target, icon):
    out = analyse(chart="i", y=nhsr_y, method="mdc", direction=direction, target=target)
    assert out["assurance_icon"] == icon


def test_no_target_no_assurance_icon(nhsr_y):
    assert analyse(chart="i", y=nhsr_y, method="mdc", direction="up")["assurance_icon"] is None


def test_mdc_on_a_p_chart_uses_that_charts_limits():
    """An extension: with a p chart the MDC rules read the p chart's limits."""
    y = [10, 12, 9, 11, 10, 30, 11, 10, 12, 9]
    out = analyse(chart="p", y=y, n=[100] * 10, method="mdc", direction="down")
    point = out["points"][5]
    assert point["sigma_signal"] and point["special_cause_rule"] == "outside_limits"
    assert point["special_cause_type"] == "concern"
