"""xbar, s, t and g charts and ``y.neg`` where the qicharts2 fixture does not reach.

The fixture (test_qicharts2_family.py) has sorted labels, no missing values and
only ``freeze``; these tests pin what qicharts2's code does with unsorted labels,
gaps, parts, exclusions, ``multiply`` and degenerate subgroups, with the
expected numbers written out from the formulas (R/helper.functions.R).
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from measurement.spc import SpcInputError, analyse, analyse_many
from measurement.spc.rmath import r_pow


def column(out, name):
    return [p[name] for p in out["points"]]


def c4(n: int) -> float:
    return math.sqrt(2 / (n - 1)) * math.gamma(n / 2) / math.gamma((n - 1) / 2)


# --- xbar and s -------------------------------------------------------------


def test_xbar_points_are_the_distinct_labels_in_ascending_order():
    out = analyse(chart="xbar", x=[3, 1, 2, 1, 3, 2, 1], y=[30, 10, 20, 12, 32, 22, 14])
    assert column(out, "x") == [1, 2, 3]
    assert column(out, "subgroup_size") == [3, 2, 2]
    assert column(out, "y") == pytest.approx([12.0, 21.0, 31.0])


def test_a_subgroup_whose_values_are_all_missing_is_a_gap_and_missing_values_do_not_count():
    out = analyse(chart="xbar", x=[1, 1, 2, 2, 3, 3], y=[1, 3, None, None, 5, None])
    assert column(out, "subgroup_size") == [2, 0, 1]
    assert column(out, "y") == [2.0, None, 5.0]
    assert out["points"][1]["ucl"] is None  # no subgroup size, no limit


def test_xbar_with_constant_size_uses_the_mean_sd_and_a3():
    groups = [[10, 12, 11], [13, 9, 11], [10, 10, 13], [12, 14, 9]]
    x = [k for k, g in enumerate(groups, start=1) for _ in g]
    y = [v for g in groups for v in g]
    out = analyse(chart="xbar", x=x, y=y)
    grand = statistics.mean(y)
    sbar = statistics.mean(statistics.stdev(g) for g in groups)
    a3 = 3 / (c4(3) * math.sqrt(3))
    first = out["points"][0]
    assert first["cl"] == pytest.approx(grand, rel=1e-12)
    assert first["ucl"] == pytest.approx(grand + a3 * sbar, rel=1e-12)
    assert first["lcl95"] == pytest.approx(grand - (2 / 3) * a3 * sbar, rel=1e-12)


def test_s_chart_with_variable_size_pools_the_variances_and_uses_b3_b4():
    groups = [[10, 12], [13, 9, 11, 10], [10, 10, 13], [12, 14, 9, 8, 11]]
    x = [k for k, g in enumerate(groups, start=1) for _ in g]
    y = [v for g in groups for v in g]
    out = analyse(chart="s", x=x, y=y)
    pooled = math.sqrt(
        sum((len(g) - 1) * statistics.variance(g) for g in groups) / sum(len(g) - 1 for g in groups)
    )
    for g, point in zip(groups, out["points"], strict=True):
        n = len(g)
        ratio = math.sqrt(1 - c4(n) ** 2) / c4(n)
        assert point["y"] == pytest.approx(statistics.stdev(g), rel=1e-12)
        assert point["cl"] == pytest.approx(pooled, rel=1e-12)
        assert point["ucl"] == pytest.approx((1 + 3 * ratio) * pooled, rel=1e-12)
        assert point["lcl"] == pytest.approx(max(0.0, 1 - 3 * ratio) * pooled, rel=1e-12)


def test_a_subgroup_of_one_value_has_no_sd_and_no_limits():
    out = analyse(chart="s", x=[1, 1, 2, 3, 3], y=[4, 6, 5, 1, 3])
    assert out["points"][1]["y"] is None
    assert out["points"][1]["ucl"] is None
    xbar = analyse(chart="xbar", x=[1, 1, 2, 3, 3], y=[4, 6, 5, 1, 3])
    assert xbar["points"][1]["y"] == 5.0
    assert xbar["points"][1]["ucl"] is None and xbar["points"][1]["lcl"] is None


def test_freeze_part_and_exclude_count_subgroups_not_rows():
    x = [k for k in range(1, 9) for _ in range(3)]
    y = [float((k * 7) % 5 + j) for k in range(1, 9) for j in range(3)]
    parted = analyse(chart="xbar", x=x, y=y, part=[4], exclude=[2])
    assert len(parted["points"]) == 8
    assert column(parted, "part") == [1, 1, 1, 1, 2, 2, 2, 2]
    assert column(parted, "included") == [True, False] + [True] * 6
    assert parted["parts"][0]["n_obs"] == 3  # 4 subgroups, one excluded
    means = [statistics.mean(y[3 * k : 3 * k + 3]) for k in range(8)]
    assert parted["points"][0]["cl"] == pytest.approx(statistics.mean([means[0], *means[2:4]]))
    assert parted["points"][4]["cl"] == pytest.approx(statistics.mean(means[4:]))
    frozen = analyse(chart="s", x=x, y=y, freeze=5)
    assert column(frozen, "baseline") == [True] * 5 + [False] * 3
    with pytest.raises(SpcInputError, match="between 1 and 8"):
        analyse(chart="xbar", x=x, y=y, freeze=9)


def test_batches_of_subgroup_charts_are_split_by_their_labels():
    first = {"chart": "xbar", "x": [1, 1, 2, 2, 3, 3], "y": [1, 2, 3, 4, 5, 6]}
    second = {"chart": "xbar", "x": [1, 2, 2, 2, 3, 3], "y": [1, 2, 3, 4, 5, 6]}
    third = {"chart": "xbar", "x": [1, 1, 2, 2, 3, 3], "y": [2, 2, 3, 9, 5, 7]}
    results = analyse_many([first, second, third])
    assert results == [analyse(**first), analyse(**second), analyse(**third)]
    assert column(results[1], "subgroup_size") == [1, 3, 2]


# --- t ----------------------------------------------------------------------


def test_t_chart_is_an_i_chart_of_the_transformed_times_raised_back():
    y = [12.0, 30.0, 7.0, 45.0, 22.0, 18.0, 60.0, 9.0, 25.0, 33.0]
    out = analyse(chart="t", y=y)
    transformed = [v ** (1 / 3.6) for v in y]
    i_chart = analyse(chart="i", y=transformed)["points"][0]
    first = out["points"][0]
    assert first["cl"] == pytest.approx(i_chart["cl"] ** 3.6, rel=1e-12)
    assert first["ucl"] == pytest.approx(i_chart["ucl"] ** 3.6, rel=1e-12)
    assert first["lcl"] == pytest.approx(i_chart["lcl"] ** 3.6, rel=1e-12)
    assert column(out, "y") == pytest.approx(y, rel=1e-13)


def test_t_chart_without_a_real_lower_limit_draws_0_and_no_lower_95_line():
    """A negative transformed limit has no real 3.6th power: LCL 0, LCL95 missing."""
    out = analyse(chart="t", y=[0.001, 400.0, 0.002, 350.0, 0.001, 500.0])
    assert {p["lcl"] for p in out["points"]} == {0.0}
    assert {p["lcl95"] for p in out["points"]} == {None}
    assert out["points"][0]["ucl"] > 500


def test_t_chart_part_of_one_point_has_lcl_0_and_no_upper_limit():
    out = analyse(chart="t", y=[5.0, 8.0, 6.0, 7.0], part=[3])
    last = out["points"][3]
    assert last["cl"] == pytest.approx(7.0)
    assert last["lcl"] == 0.0
    assert last["ucl"] is None


def test_t_chart_multiply_scales_values_and_lines():
    y = [3.0, 5.0, 4.0, 8.0, 2.0, 6.0]
    plain, scaled = analyse(chart="t", y=y), analyse(chart="t", y=y, multiply=24)
    for a, b in zip(plain["points"], scaled["points"], strict=True):
        for name in ("y", "cl", "ucl", "lcl95"):
            assert b[name] == pytest.approx(24 * a[name], rel=1e-12)


# --- g ----------------------------------------------------------------------


def test_g_chart_limits_come_from_the_mean_and_the_centre_line_is_the_median():
    y = [0, 4, 1, 9, 2, 30, 3, 5, 0, 7, 12, 1]
    out = analyse(chart="g", y=y)
    mean = statistics.mean(y)
    sd = math.sqrt(mean * (mean + 1))
    first = out["points"][0]
    assert first["cl"] == statistics.median(y) == 3.5
    assert first["ucl"] == pytest.approx(mean + 3 * sd, rel=1e-12)
    assert first["ucl95"] == pytest.approx(mean + 2 * sd, rel=1e-12)
    assert first["lcl"] == 0.0 and first["lcl95"] == 0.0
    assert column(out, "sigma_signal") == [v > mean + 3 * sd for v in y]
    # the runs analysis reads the median (10 crossings of 3.5; the mean, 5.83,
    # would give 6)
    assert out["parts"][0]["n_useful"] == 12
    assert out["parts"][0]["n_crossings"] == 10


def test_g_chart_exclude_and_freeze_leave_points_out_of_the_baseline():
    y = [2, 4, 6, 8, 100, 3, 5]
    out = analyse(chart="g", y=y, exclude=[5], freeze=6)
    base = [2, 4, 6, 8, 3]
    assert out["points"][0]["cl"] == statistics.median(base)
    mean = statistics.mean(base)
    assert out["points"][0]["ucl"] == pytest.approx(mean + 3 * math.sqrt(mean * (mean + 1)))
    assert out["points"][4]["sigma_signal"] is True
    assert out["points"][4]["included"] is False


def test_g_chart_takes_the_making_data_count_rules():
    out = analyse(chart="g", y=[3, 5, 2, 8, 1, 4, 6, 2, 9, 3], method="mdc", direction="up")
    assert out["variation_icon"] == "common_cause"


# --- y.neg ------------------------------------------------------------------


Y_LOW = [1.0, 0.0, 2.0, 0.0, 5.0, 0.0, 1.0, 3.0, 0.0, 2.0]


def test_y_neg_true_is_the_default_and_keeps_negative_limits():
    assert analyse(chart="i", y=Y_LOW)["points"][0]["lcl"] < 0
    assert analyse(chart="i", y=Y_LOW, **{"y.neg": True})["points"][0]["lcl"] < 0


def test_y_neg_false_raises_negative_lower_limits_to_zero():
    kept = analyse(chart="i", y=Y_LOW)
    clipped = analyse(chart="i", y=Y_LOW, **{"y.neg": False})
    for a, b in zip(kept["points"], clipped["points"], strict=True):
        assert b["lcl"] == max(0.0, a["lcl"])
        assert b["lcl95"] == max(0.0, a["lcl95"])
        assert (b["cl"], b["ucl"], b["sigma_signal"]) == (a["cl"], a["ucl"], a["sigma_signal"])


def test_y_neg_false_does_nothing_when_a_value_is_negative():
    y = [*Y_LOW[:-1], -0.5]
    assert analyse(chart="i", y=y, **{"y.neg": False}) == analyse(chart="i", y=y)


def test_y_neg_false_applies_to_xbar_charts_and_batches():
    args = {"chart": "xbar", "x": [1, 1, 2, 2, 3, 3, 4, 4], "y": [0, 3, 1, 0, 4, 0, 0, 2]}
    kept, clipped = analyse_many([args, {**args, "y.neg": False}])
    assert min(column(kept, "lcl")) < 0
    assert min(column(clipped, "lcl")) == 0.0


def test_the_fast_power_is_powl_value_for_value():
    """r_pow (t charts) must give R's (double) powl(x, p) exactly, specials included."""
    rng = np.random.default_rng(25)
    x = np.concatenate(
        [
            np.exp(rng.uniform(np.log(1e-6), np.log(1e12), 200_000)),
            np.round(rng.exponential(30, 50_000), 1) + 0.1,  # days to a tenth
            2.0 ** np.arange(-30, 30),
            [0.0, 1.0, -2.0, np.nan],
        ]
    )
    for power in (1 / 3.6, 3.6):
        with np.errstate(invalid="ignore"):
            expected = np.power(x.astype(np.longdouble), np.longdouble(power)).astype(np.float64)
        np.testing.assert_array_equal(r_pow(x, power), expected)
