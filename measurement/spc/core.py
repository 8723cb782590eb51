"""The vectorised engine: many series of equal length, one chart type, one call.

:func:`analyse_arrays` is the batch path (the platform's dashboards and
``make bench`` use it); :func:`measurement.spc.analyse` runs a single series
through it as a batch of one. The steps follow qicharts2's ``qic.agg()``
(R/helper.functions.R, 0.8.x) in order:

1. a point whose ``y`` or ``n`` is missing is missing in both;
2. the plotted value is ``y / n`` when ``n`` is given (the count for c charts);
   for xbar and s charts the values are first grouped by ``x`` into subgroups
   (:mod:`.subgroups`), one point per subgroup;
3. parts split the series; within each part the baseline is the points up to
   ``freeze`` (ignored with parts) that are not excluded;
4. each part gets its lines from :mod:`.limits` and its runs analysis from
   :mod:`.runs` (over its included points);
5. values and lines are multiplied by ``multiply``; non-finite limits become
   missing; ``sigma_signal`` is a value strictly outside its limits;
6. with ``y_neg=False`` (qicharts2's ``y.neg = FALSE``) a series whose plotted
   values are all 0 or more gets its negative lower limits raised to 0 (after
   the signals, as in qicharts2, where it only changes what is drawn).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .errors import raise_for
from .limits import CHARTS, RATE_CHARTS, chart_lines
from .rmath import BoolArray, FloatArray
from .runs import RunsStats, runs_analysis
from .subgroups import SUBGROUP_CHARTS, Subgroups, aggregate, subgroup_lines, unique_count
from .validation import check_arrays, check_positions, check_subgroups

IntArray = npt.NDArray[np.int64]
_LINE_NAMES = ("y", "cl", "lcl", "ucl", "lcl95", "ucl95")


@dataclass
class PartResult:
    """One part of the chart: its 1-based number, its columns and runs analysis."""

    number: int
    start: int  # 0-based, inclusive
    stop: int  # 0-based, exclusive
    runs: RunsStats


@dataclass
class BatchResult:
    """Results for S series of T points; arrays are (S, T), NaN = missing."""

    chart: str
    y: FloatArray
    cl: FloatArray
    lcl: FloatArray
    ucl: FloatArray
    lcl95: FloatArray
    ucl95: FloatArray
    sigma_signal: BoolArray
    part: IntArray  # (T,) 1-based part number of each point
    included: BoolArray  # (T,)
    baseline: BoolArray  # (T,)
    parts: list[PartResult]
    y_raw: FloatArray  # plotted values before multiply (for the IHI/MDC rules)
    side: npt.NDArray[np.int8]  # +1/-1 useful points, 0 on the line/excluded/missing
    x: FloatArray | None = None  # (T,) subgroup labels of xbar and s charts
    subgroup_size: FloatArray | None = None  # (S, T) values in each subgroup (xbar, s)

    @property
    def n_series(self) -> int:
        return int(self.y.shape[0])


def _as_2d(values: object, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise_for({name: ["must be a 1-D or 2-D array of numbers"]})
    return arr


def part_bounds(n_points: int, part: Sequence[int]) -> list[tuple[int, int]]:
    """Column ranges of the parts (qicharts2 ``makeparts()``): a new part after each."""
    cuts = sorted({int(p) for p in part if 0 < int(p) < n_points})
    edges = [0, *cuts, n_points]
    return [(edges[k], edges[k + 1]) for k in range(len(edges) - 1)]


def analyse_arrays(
    chart: str,
    y: object,
    n: object | None = None,
    *,
    freeze: int | None = None,
    part: Sequence[int] | None = None,
    exclude: Sequence[int] | None = None,
    multiply: float = 1.0,
    screen_mr: bool = True,
    mdc_limits: bool = False,
    x: object | None = None,
    y_neg: bool = True,
    validate: bool = True,
) -> BatchResult:
    """Analyse S series of T points at once (the batch entry point).

    ``y`` and ``n`` are (S, T) arrays (or 1-D for one series) with NaN for a
    missing value; every series shares the chart and the options. ``freeze``,
    ``part`` and ``exclude`` are 1-based positions as in qicharts2 (of the
    subgroups, for xbar and s charts). ``mdc_limits`` switches the I chart to the
    Making Data Count constants. ``x`` (xbar and s charts, required there) is the
    subgroup label of each of the T columns, shared by every series; the result
    then has one column per distinct label, in ascending order.
    """
    y2 = _as_2d(y, "y")
    n2 = None if n is None else _as_2d(n, "n")
    x1 = None if x is None else np.asarray(x, dtype=np.float64)
    part = list(part or [])
    exclude = list(exclude or [])
    if validate:
        problems = check_arrays(chart, y2, n2)
        problems.update(check_subgroups(chart, y2.shape[1], x1))
        if "x" not in problems and "chart" not in problems:
            n_out = y2.shape[1] if x1 is None else unique_count(x1)
            problems.update(check_positions(n_out, freeze, part, exclude))
        raise_for(problems)
    if chart not in CHARTS:
        raise_for({"chart": [f"unknown chart {chart!r}; expected one of {', '.join(CHARTS)}"]})
    groups: Subgroups | None = None
    if chart in SUBGROUP_CHARTS:
        assert x1 is not None  # check_subgroups (or the caller's parse_args) made sure
        groups = aggregate(x1, y2)
        y2 = groups.mean if chart == "xbar" else groups.sd
    n_points = y2.shape[1]

    if n2 is None:
        ysum = np.array(y2, dtype=np.float64)  # a copy: results never alias the input
        denominators = np.full(y2.shape, np.nan) if chart in RATE_CHARTS else ysum
        plotted = ysum
    else:
        missing = np.isnan(y2) | np.isnan(n2)
        ysum = np.where(missing, np.nan, y2)
        denominators = np.where(missing, np.nan, n2)
        with np.errstate(invalid="ignore", divide="ignore"):
            plotted = ysum / denominators

    positions = np.arange(1, n_points + 1)
    use_freeze = freeze is not None and not part
    baseline = positions <= freeze if use_freeze else np.ones(n_points, dtype=bool)
    included = ~np.isin(positions, np.asarray(exclude, dtype=np.int64))

    shape = y2.shape
    bounds = part_bounds(n_points, part)
    whole = len(bounds) == 1  # one part: the lines are the result, no copying
    out: dict[str, FloatArray] = {}
    if not whole:
        out = {name: np.full(shape, np.nan) for name in _LINE_NAMES}
    side = np.zeros(shape, dtype=np.int8)
    part_numbers = np.zeros(n_points, dtype=np.int64)
    parts: list[PartResult] = []
    for number, (start, stop) in enumerate(bounds, start=1):
        cols = slice(start, stop)
        base = baseline[cols] & included[cols]
        if groups is not None:
            lines = subgroup_lines(chart, groups, cols, base)
        else:
            lines = chart_lines(
                chart,
                plotted[:, cols],
                ysum[:, cols],
                denominators[:, cols],
                base,
                screen_mr,
                mdc_limits,
            )
        if whole:
            out = {name: getattr(lines, name) for name in _LINE_NAMES}
        else:
            for name in _LINE_NAMES:
                out[name][:, cols] = getattr(lines, name)
        inc = included[cols]
        if inc.all():
            runs = runs_analysis(lines.y, lines.cl)
            side[:, cols] = runs.signs
        else:
            runs = runs_analysis(lines.y[:, inc], lines.cl[:, inc])
            side[:, np.arange(start, stop)[inc]] = runs.signs
        if chart == "mr":  # qicharts2: no runs analysis on MR charts (correlated ranges)
            runs.runs_signal = np.zeros_like(runs.runs_signal)
        part_numbers[cols] = number
        parts.append(PartResult(number, start, stop, runs))

    y_raw = out["y"]
    m = float(multiply)
    scaled = dict(out)
    if m != 1.0:
        scaled["y"] = y_raw * m
        for name in _LINE_NAMES[1:]:
            scaled[name] *= m  # the chart functions return fresh arrays
    for name in ("lcl", "ucl", "lcl95", "ucl95"):
        arr = scaled[name]
        np.copyto(arr, np.nan, where=np.isinf(arr))  # NaN stays NaN: only infinities
    with np.errstate(invalid="ignore"):
        sigma = scaled["y"] > scaled["ucl"]
        sigma |= scaled["y"] < scaled["lcl"]
    if not y_neg:
        _raise_negative_lower_limits(scaled)

    return BatchResult(
        chart=chart,
        y=scaled["y"],
        cl=scaled["cl"],
        lcl=scaled["lcl"],
        ucl=scaled["ucl"],
        lcl95=scaled["lcl95"],
        ucl95=scaled["ucl95"],
        sigma_signal=sigma,
        part=part_numbers,
        included=included,
        baseline=baseline,
        parts=parts,
        y_raw=y_raw,
        side=side,
        x=None if groups is None else groups.x,
        subgroup_size=None if groups is None else groups.size,
    )


def _raise_negative_lower_limits(scaled: dict[str, FloatArray]) -> None:
    """qicharts2 ``y.neg = FALSE``: no negative LCL for a series with no negative value.

    The test is ``min(y, na.rm = TRUE) >= 0`` over the whole series after
    ``multiply`` (a series with no value at all passes, as ``min()`` is then Inf).
    """
    with np.errstate(invalid="ignore"):
        has_negative: BoolArray = np.any(scaled["y"] < 0, axis=1)
        for name in ("lcl", "lcl95"):
            arr = scaled[name]
            arr[~has_negative[:, None] & (arr < 0)] = 0.0
