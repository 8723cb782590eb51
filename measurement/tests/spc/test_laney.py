"""Laney p' and u' charts (chart 'pp' and 'up').

Sources: D. B. Laney, "Improved control charts for attributes", Quality
Engineering 14(4):531-537 (2002), as implemented by qicharts2 ``qic.pp()`` and
``qic.up()`` (anhoej/qicharts2 R/helper.functions.R, 0.8.x): z_i = (p_i - p) /
sigma_i over the baseline, sigma_z = (screened) mean |z_i - z_(i-1)| / 1.128, limits
p -/+ 3 sigma_i sigma_z. The qicharts2 vignette (Case 5, "Prime charts for count data
with very large sample sizes") makes the qualitative claim checked here: with
samples of about 280,000 the P chart's limits are far too narrow and most points
fall outside, while the P' chart's limits reflect the real variation.

No published numeric P'/U' example could be obtained in this environment (the
vignette's nhs_accidents data set ships only as a binary .rda), so the numbers
are checked against the formula written out independently below.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from measurement.spc import analyse

REL = 1e-9

# 20 weeks of A&E attendances, ~280,000 a week, and the number seen within four
# hours. Weeks 1-6 are the rows the vignette prints (head(nhs_accidents)); the rest
# are made up in the same style: a proportion wandering by a few tenths of a percent.
N = [
    280443, 276823, 291681, 296155, 282343, 275888, 281200, 279012, 288765, 290110,
    277654, 283321, 286540, 279981, 281777, 284432, 289002, 278345, 282219, 285610,
]  # fmt: skip
RATES = [
    0.9503, 0.9548, 0.9481, 0.9504, 0.9530, 0.9468, 0.9512, 0.9497, 0.9525, 0.9489,
    0.9541, 0.9475, 0.9508, 0.9519, 0.9493, 0.9536, 0.9471, 0.9514, 0.9502, 0.9527,
]  # fmt: skip
Y = [266501, 264225, 276532, 281461, 269071, 261215] + [
    round(r * n) for r, n in zip(RATES[6:], N[6:], strict=True)
]


def laney(y, n, kind: str, screen: bool = True):
    """Laney's limits written out point by point (no vectorisation, no reuse)."""
    centre = sum(y) / sum(n)
    values = [a / b for a, b in zip(y, n, strict=True)]
    if kind == "p":
        sigmas = [math.sqrt(centre * (1 - centre) / b) for b in n]
    else:
        sigmas = [math.sqrt(centre / b) for b in n]
    z = [(v - centre) / s for v, s in zip(values, sigmas, strict=True)]
    ranges = [abs(z[i] - z[i - 1]) for i in range(1, len(z))]
    mean_range = sum(ranges) / len(ranges)
    if screen:
        kept = [r for r in ranges if r < 3.267 * mean_range]
        mean_range = sum(kept) / len(kept)
    sigma_z = mean_range / 1.128
    return centre, sigma_z, sigmas


@pytest.mark.parametrize("screen", [True, False])
def test_p_prime_limits_follow_laney(screen):
    centre, sigma_z, sigmas = laney(Y, N, "p", screen)
    out = analyse(chart="pp", y=Y, n=N, screen_mr=screen)
    for point, sigma in zip(out["points"], sigmas, strict=True):
        assert point["cl"] == pytest.approx(centre, rel=REL)
        assert point["ucl"] == pytest.approx(centre + 3 * sigma * sigma_z, rel=REL)
        assert point["lcl"] == pytest.approx(centre - 3 * sigma * sigma_z, rel=REL)
        assert point["ucl95"] == pytest.approx(centre + 2 * sigma * sigma_z, rel=REL)
    assert sigma_z > 5  # strongly over-dispersed: the p chart is ~5x too narrow


def test_p_chart_is_too_narrow_with_very_large_denominators_and_p_prime_is_not():
    """The vignette's Case 5 point: the P chart flags most weeks, the P' chart none."""
    p = analyse(chart="p", y=Y, n=N)
    pp = analyse(chart="pp", y=Y, n=N)
    assert sum(pt["sigma_signal"] for pt in p["points"]) >= 10
    assert sum(pt["sigma_signal"] for pt in pp["points"]) == 0
    assert p["points"][0]["cl"] == pp["points"][0]["cl"]  # same centre line


def test_u_prime_limits_follow_laney():
    counts = [17, 18, 17, 10, 13, 14, 25, 9, 21, 16, 12, 19]
    days = [17233.7, 15308.3, 16883.7, 15463.8, 15789.0, 15660.0,
            16702.1, 15012.4, 16430.9, 15877.2, 15211.6, 16950.3]  # fmt: skip
    centre, sigma_z, sigmas = laney(counts, days, "u")
    out = analyse(chart="up", y=counts, n=days, multiply=10000)
    for point, sigma in zip(out["points"], sigmas, strict=True):
        assert point["cl"] == pytest.approx(centre * 10000, rel=REL)
        assert point["ucl"] == pytest.approx((centre + 3 * sigma * sigma_z) * 10000, rel=REL)
        low = centre - 3 * sigma * sigma_z
        assert point["lcl"] == pytest.approx(max(low, 0.0) * 10000, rel=REL, abs=1e-12)


def test_laney_with_a_frozen_baseline_uses_baseline_z_scores_only():
    """qic.pp computes z and sigma_z over ``base`` (freeze) only, then applies
    sigma_z to every point's sigma_i."""
    centre, sigma_z, _ = laney(Y[:12], N[:12], "p")
    out = analyse(chart="pp", y=Y, n=N, freeze=12)
    last = out["points"][-1]
    assert last["cl"] == pytest.approx(centre, rel=REL)
    sigma_last = math.sqrt(centre * (1 - centre) / N[-1])
    assert last["ucl"] == pytest.approx(centre + 3 * sigma_last * sigma_z, rel=REL)
    assert [p["baseline"] for p in out["points"]] == [True] * 12 + [False] * 8


def test_laney_all_equal_proportions():
    """Equal proportions give z = 0 and zero moving ranges. With screening (as in
    R: ``mr[mr < 3.267 * 0]`` keeps nothing, the mean is NaN) the limits are
    missing; without screening sigma_z = 0 and the limits collapse on the CL."""
    y, n = [50] * 10, [1000] * 10
    screened = analyse(chart="pp", y=y, n=n)["points"][0]
    assert screened["cl"] == pytest.approx(0.05)
    assert screened["ucl"] is None and screened["lcl"] is None
    plain = analyse(chart="pp", y=y, n=n, screen_mr=False)["points"][0]
    assert plain["ucl"] == plain["lcl"] == plain["cl"]


def test_laney_skips_moving_ranges_across_a_gap():
    """A missing week makes its two z moving ranges missing (not bridged)."""
    y = list(Y)
    n = list(N)
    y[7] = None
    out = analyse(chart="pp", y=y, n=n)
    ys = np.array([np.nan if v is None else v for v in y], dtype=float)
    ns = np.array(n, dtype=float)
    centre = np.nansum(ys) / ns[~np.isnan(ys)].sum()
    sig = np.sqrt(centre * (1 - centre) / ns)
    z = (ys / ns - centre) / sig
    mr = np.abs(np.diff(z))
    mr = mr[~np.isnan(mr)]
    assert mr.size == 17  # 19 ranges minus the two that touch the gap
    kept = mr[mr < 3.267 * mr.mean()]
    sigma_z = kept.mean() / 1.128
    assert out["points"][0]["ucl"] == pytest.approx(centre + 3 * sig[0] * sigma_z, rel=1e-9)
    assert out["points"][7]["y"] is None and out["points"][7]["ucl"] is None
