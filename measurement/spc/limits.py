"""Centre lines and control limits, one chart type per function, many series at once.

Each function works on one *part* of a batch: 2-D arrays with one row per series
and one column per point of the part, plus ``base``, the 1-D mask of the columns
that form the baseline (inside ``freeze`` and not excluded). It returns the
plotted values and the five lines *before* ``multiply`` is applied, exactly as
qicharts2's ``qic.<chart>()`` helpers do (R/helper.functions.R, qicharts2 0.8.x),
so that multiplication, the non-finite-to-NA step and the sigma signal can be
applied once, in the same order as ``qic.agg()``.

Missing points are NaN in ``y`` (and in ``n``). Like qicharts2 they stay *in
place* in the baseline, so a moving range that spans a gap is NaN and is ignored,
while an excluded point is removed *before* differencing (its neighbours form a
moving range).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rmath import BoolArray, FloatArray, r_mean, r_median, r_pow, r_sum

# Shewhart constants as qicharts2 writes them (d2 for n = 2, and D4 for n = 2).
D2 = 1.128
D4 = 3.267
# Nelson's moving-range screening in qic.ip() uses 3.2665; the charts here use D4.
# NHS "Making Data Count" (NHSRplotthedots ptd_spc_standard.R): 2.66 = 3 / d2, rounded.
MDC_LIMIT = 2.66

CHARTS = ("run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g")
RATE_CHARTS = ("p", "pp", "u", "up")  # need n
COUNT_CHARTS = ("p", "pp", "u", "up", "c", "g")  # y is a count: no negatives
# qicharts2's t chart: Nelson's transformation of the times between events.
T_POWER = 3.6
PROPORTION_CHARTS = ("p", "pp")  # y <= n, limits clipped to [0, 1]


@dataclass
class Lines:
    """Plotted values and lines for one part of a batch (before ``multiply``)."""

    y: FloatArray  # (S, L) the values the chart plots
    cl: FloatArray  # (S, L)
    lcl: FloatArray
    ucl: FloatArray
    lcl95: FloatArray
    ucl95: FloatArray


def _full(values: FloatArray, shape: tuple[int, int]) -> FloatArray:
    """Broadcast one value per series across the part's points."""
    return np.broadcast_to(np.asarray(values, dtype=np.float64)[:, None], shape).copy()


def _base_mask(y: FloatArray, base: BoolArray) -> BoolArray:
    """Baseline columns holding a value (``x[base]`` with ``na.rm = TRUE``)."""
    return base[None, :] & ~np.isnan(y)


def _screened_mean_mr(mr: FloatArray, screen: bool) -> FloatArray:
    """Average moving range, optionally after Nelson's screening (qic.i / qic.pp).

    With screening, ranges at or above D4 times the first average are dropped and
    the average recomputed (``mr[mr < 3.267 * amr]``): when every range is equal
    (e.g. all values equal) nothing survives and the result is NaN, as in R.
    """
    valid = ~np.isnan(mr)
    amr = r_mean(mr, valid)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = valid & (mr < (D4 * amr)[:, None])
        amr = r_mean(mr, keep)
    return amr


def _symmetric(cl: FloatArray, stdev: FloatArray) -> tuple[FloatArray, ...]:
    """cl -/+ 3 sd and cl -/+ 2 sd, in qicharts2's order of operations."""
    return cl - 3 * stdev, cl + 3 * stdev, cl - 2 * stdev, cl + 2 * stdev


def _clip(lines: Lines, upper_one: bool) -> Lines:
    """LCL below 0 becomes 0 (and, for proportions, UCL above 1 becomes 1)."""
    for name in ("lcl", "lcl95"):
        arr = getattr(lines, name)
        arr[np.isfinite(arr) & (arr < 0)] = 0.0
    if upper_one:
        for name in ("ucl", "ucl95"):
            arr = getattr(lines, name)
            arr[np.isfinite(arr) & (arr > 1)] = 1.0
    return lines


def run_chart(y: FloatArray, base: BoolArray) -> Lines:
    """qic.run: the median of the baseline; no limits."""
    cl = _full(r_median(y, _base_mask(y, base)), y.shape)
    nan = np.full(y.shape, np.nan)
    return Lines(y, cl, nan, nan.copy(), nan.copy(), nan.copy())


def i_chart(y: FloatArray, base: BoolArray, screen: bool, mdc: bool = False) -> Lines:
    """qic.i: mean, sigma = (screened) average moving range / 1.128.

    With ``mdc`` the NHS Making Data Count variant (NHSRplotthedots): limits are
    mean -/+ 2.66 x average MR and the "2 sigma" lines mean -/+ (2/3 x 2.66) x
    average MR; the moving ranges are taken on the values themselves.
    """
    mean = r_mean(y, _base_mask(y, base))
    yb = y[:, base]
    mr = np.abs(np.diff(yb if mdc else yb - mean[:, None], axis=1))
    amr = _screened_mean_mr(mr, screen)
    cl = _full(mean, y.shape)
    if mdc:
        close = 2 * (MDC_LIMIT / 3)
        lcl = cl - MDC_LIMIT * amr[:, None]
        ucl = cl + MDC_LIMIT * amr[:, None]
        lcl95 = cl - close * amr[:, None]
        ucl95 = cl + close * amr[:, None]
        return Lines(y, cl, lcl, ucl, lcl95, ucl95)
    stdev = (amr / D2)[:, None]
    return Lines(y, cl, *_symmetric(cl, stdev))


def mr_chart(y: FloatArray, base: BoolArray) -> Lines:
    """qic.mr: plots |y_i - y_(i-1)| within the part (first point NA).

    The ranges are taken over *all* points of the part (excluded ones too); the
    centre line is the mean of the baseline ranges; UCL = 3.267 x CL, LCL = 0.
    qicharts2 does not screen the ranges of an MR chart.
    """
    mr = np.full(y.shape, np.nan)
    mr[:, 1:] = np.abs(np.diff(y, axis=1))
    cl = _full(r_mean(mr, _base_mask(mr, base)), y.shape)
    zero = np.zeros(y.shape)
    return Lines(mr, cl, zero, D4 * cl, zero.copy(), (D4 / 3) * 2 * cl)


def _pooled_rate(ysum: FloatArray, n: FloatArray, base: BoolArray) -> FloatArray:
    """sum(y[base]) / sum(n[base]): the weighted centre line of p and u charts."""
    mask = _base_mask(ysum, base) & ~np.isnan(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return r_sum(ysum, mask) / r_sum(n, mask)


def _laney_sigma_z(
    y: FloatArray, cl: FloatArray, stdev: FloatArray, base: BoolArray, screen: bool
) -> FloatArray:
    """Laney's sigma_z: the (screened) average moving range of the z-scores / 1.128."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y[:, base] - cl[:, base]) / stdev[:, base]
    mr = np.abs(np.diff(z, axis=1))
    return _screened_mean_mr(mr, screen) / D2


def p_chart(y: FloatArray, ysum: FloatArray, n: FloatArray, base: BoolArray) -> Lines:
    """qic.p: p = sum(y)/sum(n); p -/+ 3 sqrt(p(1-p)/n_i), clipped to [0, 1]."""
    cl = _full(_pooled_rate(ysum, n, base), y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(cl * (1 - cl) / n)
    return _clip(Lines(y, cl, *_symmetric(cl, stdev)), upper_one=True)


def pp_chart(
    y: FloatArray, ysum: FloatArray, n: FloatArray, base: BoolArray, screen: bool
) -> Lines:
    """qic.pp (Laney p'): the p chart's sigma_i times sigma_z, clipped to [0, 1]."""
    cl = _full(_pooled_rate(ysum, n, base), y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(cl * (1 - cl) / n)
    stdev = stdev * _laney_sigma_z(y, cl, stdev, base, screen)[:, None]
    return _clip(Lines(y, cl, *_symmetric(cl, stdev)), upper_one=True)


def u_chart(y: FloatArray, ysum: FloatArray, n: FloatArray, base: BoolArray) -> Lines:
    """qic.u: u = sum(y)/sum(n); u -/+ 3 sqrt(u/n_i), LCL clipped at 0."""
    cl = _full(_pooled_rate(ysum, n, base), y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(cl / n)
    return _clip(Lines(y, cl, *_symmetric(cl, stdev)), upper_one=False)


def up_chart(
    y: FloatArray, ysum: FloatArray, n: FloatArray, base: BoolArray, screen: bool
) -> Lines:
    """qic.up (Laney u'): the u chart's sigma_i times sigma_z, LCL clipped at 0."""
    cl = _full(_pooled_rate(ysum, n, base), y.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(cl / n)
    stdev = stdev * _laney_sigma_z(y, cl, stdev, base, screen)[:, None]
    return _clip(Lines(y, cl, *_symmetric(cl, stdev)), upper_one=False)


def c_chart(ysum: FloatArray, base: BoolArray) -> Lines:
    """qic.c: plots the counts; c = mean count; c -/+ 3 sqrt(c), LCL clipped at 0."""
    cl = _full(r_mean(ysum, _base_mask(ysum, base)), ysum.shape)
    stdev = np.sqrt(cl)
    return _clip(Lines(ysum, cl, *_symmetric(cl, stdev)), upper_one=False)


def t_chart(y: FloatArray, base: BoolArray, screen: bool) -> Lines:
    """qic.t: an I chart of y^(1/3.6), every value and line raised back to 3.6.

    A negative transformed limit has no real power and becomes NaN, as in R;
    qicharts2 then sets a NaN or negative LCL to 0 but leaves the lower 95% line
    missing. (qicharts2 stops on a time of zero or less; validation refuses it.)
    """
    # Times repeat (whole days, tenths): raise each distinct value once.
    values, inverse = np.unique(y.ravel(), return_inverse=True)
    with np.errstate(invalid="ignore"):
        transformed = r_pow(values, 1 / T_POWER)
        restored = r_pow(transformed, T_POWER)
        lines = i_chart(transformed[inverse].reshape(y.shape), base, screen)
        # the lines are one value per series: raise that, then spread it
        back = Lines(
            restored[inverse].reshape(y.shape),
            *(_full(r_pow(getattr(lines, name)[:, 0], T_POWER), y.shape) for name in _LINES),
        )
    back.lcl[np.isnan(back.lcl) | (back.lcl < 0)] = 0.0
    return back


def g_chart(y: FloatArray, base: BoolArray) -> Lines:
    """qic.g: limits from the mean count m, m -/+ 3 sqrt(m (m + 1)) (geometric).

    The LCL is clipped at 0 and the centre line then becomes the *median* of the
    baseline (the geometric distribution is skewed), which the runs analysis uses.
    """
    mean = _full(r_mean(y, _base_mask(y, base)), y.shape)
    with np.errstate(invalid="ignore"):
        stdev = np.sqrt(mean * (mean + 1))
    lines = Lines(y, mean, *_symmetric(mean, stdev))
    for name in ("lcl", "lcl95"):
        arr = getattr(lines, name)
        arr[np.isfinite(arr) & (arr < 0)] = 0.0
    lines.cl = _full(r_median(y, _base_mask(y, base)), y.shape)
    return lines


_LINES = ("cl", "lcl", "ucl", "lcl95", "ucl95")


def chart_lines(
    chart: str,
    y: FloatArray,
    ysum: FloatArray,
    n: FloatArray,
    base: BoolArray,
    screen: bool,
    mdc: bool = False,
) -> Lines:
    """Dispatch to the chart's function (``y`` is already y/n where n applies)."""
    if chart == "run":
        return run_chart(y, base)
    if chart == "i":
        return i_chart(y, base, screen, mdc)
    if chart == "mr":
        return mr_chart(y, base)
    if chart == "p":
        return p_chart(y, ysum, n, base)
    if chart == "pp":
        return pp_chart(y, ysum, n, base, screen)
    if chart == "u":
        return u_chart(y, ysum, n, base)
    if chart == "up":
        return up_chart(y, ysum, n, base, screen)
    if chart == "c":
        return c_chart(ysum, base)
    if chart == "t":
        return t_chart(y, base, screen)
    if chart == "g":
        return g_chart(y, base)
    raise ValueError(f"unknown chart {chart!r}")
