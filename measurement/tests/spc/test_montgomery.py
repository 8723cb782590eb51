"""Attribute charts against Montgomery's worked examples.

Source: D. C. Montgomery, *Introduction to Statistical Quality Control*, 6th ed.
(Wiley 2009), chapter 7 -- the examples that qicharts2's own test suite
reproduces (anhoej/qicharts2 tests/testthat/test_montgomery.R: Example 7.1 with
``exclude = c(15, 23), part = 30``; Example 7.3 with ``exclude = c(6, 20)``;
Example 7.4). The data are those distributed with the R package qcc
(luca-scr/qcc data/orangejuice.txt, circuit.txt, pcmanufact.txt, which cite the
same book). The published limits are quoted to Montgomery's printed precision;
where he rounded the centre line before computing a limit the tolerance says so.
Each test also checks the engine against the formula written out to 1e-9.
"""

from __future__ import annotations

import math

import pytest

from measurement.spc import analyse

# Example 7.1, frozen orange juice cans: nonconforming cans in samples of 50.
# Samples 1-30 are the trial samples; 31-54 follow the machine adjustment.
ORANGE_JUICE = [
    12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11,
    20, 18, 24, 15, 9, 12, 7, 13, 9, 6,
    9, 6, 12, 5, 6, 4, 6, 3, 7, 6, 2, 4, 3, 6, 5, 4, 8, 5, 6, 7, 5, 6, 3, 5,
]  # fmt: skip
# Example 7.3, printed circuit boards: nonconformities per 100 boards.
CIRCUIT = [
    21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39,
    30, 24, 16, 19, 17, 15,
]  # fmt: skip
# Example 7.4, personal computers: nonconformities in samples of 5 computers.
COMPUTERS = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]

REL = 1e-9


def p_limits(p: float, n: float) -> tuple[float, float]:
    sd = math.sqrt(p * (1 - p) / n)
    return max(p - 3 * sd, 0.0), min(p + 3 * sd, 1.0)


def test_orange_juice_trial_limits():
    """Trial limits from the first 30 samples: p = 0.2313, UCL = 0.4102,
    LCL = 0.0524; samples 15 and 23 plot above the UCL."""
    out = analyse(chart="p", y=ORANGE_JUICE[:30], n=[50] * 30)
    first = out["points"][0]
    assert first["cl"] == pytest.approx(347 / 1500, rel=REL)
    assert first["cl"] == pytest.approx(0.2313, abs=5e-5)
    assert first["ucl"] == pytest.approx(0.4102, abs=5e-5)
    assert first["lcl"] == pytest.approx(0.0524, abs=5e-5)
    assert [i + 1 for i, p in enumerate(out["points"]) if p["sigma_signal"]] == [15, 23]


def test_orange_juice_revised_limits_with_excluded_points_and_a_second_part():
    """Samples 15 (new batch of cardboard) and 23 (inexperienced operator) are
    left out of the revised limits: p = 0.2150, UCL = 0.3893, LCL = 0.0407.
    After the machine adjustment (samples 31-54): p = 0.1108, UCL = 0.2440 and
    the LCL, -0.0224, is set to zero."""
    out = analyse(chart="p", y=ORANGE_JUICE, n=[50] * 54, exclude=[15, 23], part=[30])
    points = out["points"]
    before, after = points[0], points[30]
    assert before["cl"] == pytest.approx(301 / 1400, rel=REL)
    assert (before["cl"], before["ucl"], before["lcl"]) == pytest.approx(
        (0.2150, 0.3893, 0.0407), abs=5e-5
    )
    assert after["cl"] == pytest.approx(133 / 1200, rel=REL)
    assert (after["cl"], after["ucl"]) == pytest.approx((0.1108, 0.2440), abs=5e-5)
    assert after["lcl"] == 0.0  # clipped at zero
    assert after["ucl"] == pytest.approx(p_limits(133 / 1200, 50)[1], rel=REL)
    # Parts, inclusion and the baseline flags.
    assert [p["part"] for p in points] == [1] * 30 + [2] * 24
    assert [i + 1 for i, p in enumerate(points) if not p["included"]] == [15, 23]
    assert all(p["baseline"] for p in points)  # no freeze
    # Excluded points are still drawn and still tested against the limits.
    assert points[14]["y"] == pytest.approx(22 / 50)
    assert points[14]["sigma_signal"] and points[22]["sigma_signal"]
    # Two parts, each with its own runs analysis over its included points.
    assert [p["n_obs"] for p in out["parts"]] == [28, 24]


def test_multiply_scales_values_and_lines_not_signals():
    """multiply = 100 gives percentages (qicharts2 multiplies y, CL and limits)."""
    plain = analyse(chart="p", y=ORANGE_JUICE[:30], n=[50] * 30)
    pct = analyse(chart="p", y=ORANGE_JUICE[:30], n=[50] * 30, multiply=100)
    for a, b in zip(plain["points"], pct["points"], strict=True):
        for key in ("y", "cl", "lcl", "ucl", "lcl95", "ucl95"):
            assert b[key] == pytest.approx(a[key] * 100, rel=REL)
        assert a["sigma_signal"] == b["sigma_signal"]
    assert plain["parts"] == pct["parts"]


def test_circuit_boards_c_chart_trial_and_revised():
    """Trial: c = 19.85, UCL = 33.22, LCL = 6.48; sample 6 is below the LCL and
    sample 20 above the UCL. Revised without them: c = 19.67, UCL = 32.97,
    LCL = 6.36. (Montgomery computes the limits from c rounded to 19.85, hence
    0.01 on the trial limits; the formula check is exact.)"""
    trial = analyse(chart="c", y=CIRCUIT)
    c = 516 / 26
    first = trial["points"][0]
    assert first["cl"] == pytest.approx(c, rel=REL)
    assert first["ucl"] == pytest.approx(c + 3 * math.sqrt(c), rel=REL)
    assert (first["cl"], first["ucl"], first["lcl"]) == pytest.approx(
        (19.85, 33.22, 6.48), abs=0.01
    )
    assert [i + 1 for i, p in enumerate(trial["points"]) if p["sigma_signal"]] == [6, 20]

    revised = analyse(chart="c", y=CIRCUIT, exclude=[6, 20])["points"][0]
    c = 472 / 24
    assert revised["cl"] == pytest.approx(c, rel=REL)
    assert revised["lcl"] == pytest.approx(c - 3 * math.sqrt(c), rel=REL)
    assert (revised["cl"], revised["ucl"], revised["lcl"]) == pytest.approx(
        (19.67, 32.97, 6.36), abs=5e-3
    )


def test_personal_computers_u_chart():
    """u = 1.93 nonconformities per computer, UCL = 3.79, LCL = 0.07."""
    out = analyse(chart="u", y=COMPUTERS, n=[5] * 20)
    first = out["points"][0]
    assert first["cl"] == pytest.approx(193 / 100, rel=REL)
    assert first["ucl"] == pytest.approx(1.93 + 3 * math.sqrt(1.93 / 5), rel=REL)
    assert (first["cl"], first["ucl"], first["lcl"]) == pytest.approx((1.93, 3.79, 0.07), abs=5e-3)
    assert first["ucl95"] == pytest.approx(1.93 + 2 * math.sqrt(1.93 / 5), rel=REL)
    assert not any(p["sigma_signal"] for p in out["points"])


def test_p_chart_variable_n_and_clipping_at_one():
    """p limits vary with n_i and are clipped to [0, 1] (qic.p): with n = 2 and
    p = 0.5 the 3-sigma limits -0.56 .. 1.56 become 0 .. 1, and the 2-sigma
    limits -0.21 .. 1.21 likewise."""
    out = analyse(chart="p", y=[1, 1, 1, 1, 40, 40], n=[2, 2, 2, 2, 80, 80])
    small, large = out["points"][0], out["points"][4]
    assert small["cl"] == pytest.approx(0.5)
    assert (small["lcl"], small["ucl"], small["lcl95"], small["ucl95"]) == (0.0, 1.0, 0.0, 1.0)
    assert large["ucl"] == pytest.approx(0.5 + 3 * math.sqrt(0.25 / 80), rel=REL)
    assert large["lcl"] == pytest.approx(0.5 - 3 * math.sqrt(0.25 / 80), rel=REL)
