"""The engine against the numbers published in the qicharts2 vignette.

Source: qicharts2 vignette "Quality Improvement Charts" (J. Anhoej), as rendered
for qicharts2 0.8.1.9999, read at github.com/d-morrison/qicharts2
master/articles/qicharts2.md (the pkgdown build of anhoej/qicharts2's
vignettes/qicharts2.Rmd):

* section "Testing for special cause variation" builds ``y`` with
  ``set.seed(19); y <- rnorm(24); y[22] <- 4; y[13:24] <- rnorm(12, mean = 2)``
  and prints ``summary(qic(y, chart = 'i'))``;
* "Appendix 2" tabulates the critical values of the Anhoej rules for 10-100
  useful observations.

The vignette is rendered with the package attached, i.e. with moving-range
screening on (``options(qic.screenedmr = TRUE)`` in ``.onAttach``).
"""

from __future__ import annotations

import numpy as np
import pytest

from measurement.spc import analyse

from .rrandom import RRandom

REL = 1e-6


@pytest.fixture(scope="module")
def vignette_y() -> list[float]:
    rng = RRandom(19)
    y = rng.rnorm(24)
    y[21] = 4.0
    y[12:24] = rng.rnorm(12, mean=2.0)
    return y.tolist()


def test_i_chart_summary_matches_vignette(vignette_y):
    """summary(o) in the vignette: CL 1.057091, aLCL -2.114884, aUCL 4.229067,
    aLCL.95 -1.057559, aUCL.95 3.171742; n.obs 24, n.useful 24, longest.run 13
    (max 8), n.crossings 4 (min 8), runs.signal 1, sigma.signal 0."""
    out = analyse(chart="i", y=vignette_y)
    point = out["points"][0]
    assert point["cl"] == pytest.approx(1.057091, abs=5e-7)
    assert point["lcl"] == pytest.approx(-2.114884, abs=5e-7)
    assert point["ucl"] == pytest.approx(4.229067, abs=5e-7)
    assert point["lcl95"] == pytest.approx(-1.057559, abs=5e-7)
    assert point["ucl95"] == pytest.approx(3.171742, abs=5e-7)
    assert out["parts"] == [
        {
            "part": 1,
            "n_obs": 24,
            "n_useful": 24,
            "longest_run": 13,
            "longest_run_max": 8,
            "n_crossings": 4,
            "n_crossings_min": 8,
            "runs_signal": True,
        }
    ]
    assert not any(p["sigma_signal"] for p in out["points"])


def test_i_chart_limits_follow_the_qicharts2_formula(vignette_y):
    """Same data, the qic.i() recipe written out: mean, MR of (y - CL), Nelson's
    screening (drop MR >= 3.267 x mean MR), sigma = mean MR / 1.128."""
    y = np.array(vignette_y)
    cl = y.mean()
    mr = np.abs(np.diff(y - cl))
    screened = mr[mr < 3.267 * mr.mean()].mean()
    unscreened = mr.mean()
    on = analyse(chart="i", y=vignette_y)["points"][0]
    off = analyse(chart="i", y=vignette_y, screen_mr=False)["points"][0]
    assert on["ucl"] == pytest.approx(cl + 3 * screened / 1.128, rel=REL)
    assert off["ucl"] == pytest.approx(cl + 3 * unscreened / 1.128, rel=REL)


def test_screening_drops_the_ranges_around_the_vignettes_outlier():
    """The vignette's first special cause: ``y[22] <- 4`` on the set.seed(19)
    series (before the shift). The moving range from point 22 to 23 exceeds
    3.267 x mean MR, so with screening (as when qicharts2 is attached) it is
    dropped and the limits narrow; ``screen_mr: false`` keeps it."""
    y = RRandom(19).rnorm(24)
    y[21] = 4.0
    mr = np.abs(np.diff(y - y.mean()))
    kept = mr < 3.267 * mr.mean()
    assert list(np.nonzero(~kept)[0] + 2) == [23]  # the range ending at point 23
    on = analyse(chart="i", y=y.tolist())
    off = analyse(chart="i", y=y.tolist(), screen_mr=False)
    assert on["points"][0]["ucl"] == pytest.approx(y.mean() + 3 * mr[kept].mean() / 1.128, rel=REL)
    assert off["points"][0]["ucl"] == pytest.approx(y.mean() + 3 * mr.mean() / 1.128, rel=REL)
    assert on["points"][0]["ucl"] < off["points"][0]["ucl"]
    # Shewhart's rule then flags the outlier, as in the vignette's chart.
    assert [i + 1 for i, p in enumerate(on["points"]) if p["sigma_signal"]] == [22]


def test_the_shift_is_found_by_the_runs_analysis_only(vignette_y):
    """The vignette: the 2-SD shift is 'too small to be picked up by the 3-sigma
    rule' while 'both Anhoej rules detect the signal'."""
    out = analyse(chart="i", y=vignette_y)
    part = out["parts"][0]
    assert part["longest_run"] > part["longest_run_max"]
    assert part["n_crossings"] < part["n_crossings_min"]
    assert part["runs_signal"] is True


# Appendix 2 of the vignette: n useful observations -> (upper limit for the
# longest run, lower limit for the number of crossings), n = 10..100.
APPENDIX_2 = {
    10: (6, 2), 11: (6, 2), 12: (7, 3), 13: (7, 3), 14: (7, 4), 15: (7, 4),
    16: (7, 4), 17: (7, 5), 18: (7, 5), 19: (7, 6), 20: (7, 6), 21: (7, 6),
    22: (7, 7), 23: (8, 7), 24: (8, 8), 25: (8, 8), 26: (8, 8), 27: (8, 9),
    28: (8, 9), 29: (8, 10), 30: (8, 10), 31: (8, 11), 32: (8, 11), 33: (8, 11),
    34: (8, 12), 35: (8, 12), 36: (8, 13), 37: (8, 13), 38: (8, 14), 39: (8, 14),
    40: (8, 14), 41: (8, 15), 42: (8, 15), 43: (8, 16), 44: (8, 16), 45: (8, 17),
    46: (9, 17), 47: (9, 17), 48: (9, 18), 49: (9, 18), 50: (9, 19), 51: (9, 19),
    52: (9, 20), 53: (9, 20), 54: (9, 21), 55: (9, 21), 56: (9, 21), 57: (9, 22),
    58: (9, 22), 59: (9, 23), 60: (9, 23), 61: (9, 24), 62: (9, 24), 63: (9, 25),
    64: (9, 25), 65: (9, 25), 66: (9, 26), 67: (9, 26), 68: (9, 27), 69: (9, 27),
    70: (9, 28), 71: (9, 28), 72: (9, 29), 73: (9, 29), 74: (9, 29), 75: (9, 30),
    76: (9, 30), 77: (9, 31), 78: (9, 31), 79: (9, 32), 80: (9, 32), 81: (9, 33),
    82: (9, 33), 83: (9, 34), 84: (9, 34), 85: (9, 34), 86: (9, 35), 87: (9, 35),
    88: (9, 36), 89: (9, 36), 90: (9, 37), 91: (10, 37), 92: (10, 38), 93: (10, 38),
    94: (10, 39), 95: (10, 39), 96: (10, 39), 97: (10, 40), 98: (10, 40),
    99: (10, 41), 100: (10, 41),
}  # fmt: skip


@pytest.mark.parametrize("n_useful", sorted(APPENDIX_2))
def test_runs_limits_match_appendix_2(n_useful):
    """An alternating +1/-1 series around its mean has n useful points (none is on
    the centre line); its limits must be the table's."""
    y = [(-1) ** i for i in range(n_useful)]
    part = analyse(chart="i", y=y)["parts"][0]
    assert part["n_useful"] == n_useful
    assert (part["longest_run_max"], part["n_crossings_min"]) == APPENDIX_2[n_useful]
