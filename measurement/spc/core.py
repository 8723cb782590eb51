"""The vectorised engine: many series of equal length, one chart type, one call.

:func:`analyse_arrays` is the batch path (the platform's dashboards and
``make bench`` use it); :func:`measurement.spc.analyse` runs a single series
through it as a batch of one. The steps follow qicharts2's ``qic.agg()``
(R/helper.functions.R, 0.8.x) in order:

1. a point whose ``y`` or ``n`` is missing is missing in both;
2. the plotted value is ``y / n`` when ``n`` is given (the count for c charts);
3. parts split the series; within each part the baseline is the points up to
   ``freeze`` (ignored with parts) that are not excluded;
4. each part gets its lines from :mod:`.limits` and its runs analysis from
   :mod:`.runs` (over its included points);
5. values and lines are multiplied by ``multiply``; non-finite limits become
   missing; ``sigma_signal`` is a value strictly outside its limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .errors import raise_for
from .limits import CHARTS, chart_lines
from .rmath import BoolArray, FloatArray
from .runs import RunsStats, runs_analysis
from .validation import check_arrays, check_positions

IntArray = npt.NDArray[np.int64]


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
    validate: bool = True,
) -> BatchResult:
    """Analyse S series of T points at once (the batch entry point).

    ``y`` and ``n`` are (S, T) arrays (or 1-D for one series) with NaN for a
    missing value; every series shares the chart and the options. ``freeze``,
    ``part`` and ``exclude`` are 1-based positions as in qicharts2.
    ``mdc_limits`` switches the I chart to the Making Data Count constants.
    """
    y2 = _as_2d(y, "y")
    n2 = None if n is None else _as_2d(n, "n")
    n_points = y2.shape[1]
    part = list(part or [])
    exclude = list(exclude or [])
    if validate:
        problems = check_arrays(chart, y2, n2)
        problems.update(check_positions(n_points, freeze, part, exclude))
        raise_for(problems)
    if chart not in CHARTS:
        raise_for({"chart": [f"unknown chart {chart!r}; expected one of {', '.join(CHARTS)}"]})

    missing = np.isnan(y2) if n2 is None else (np.isnan(y2) | np.isnan(n2))
    ysum = np.where(missing, np.nan, y2)
    if n2 is None:
        denominators = np.full(y2.shape, np.nan)
        plotted = ysum
    else:
        denominators = np.where(missing, np.nan, n2)
        with np.errstate(invalid="ignore", divide="ignore"):
            plotted = ysum / denominators

    positions = np.arange(1, n_points + 1)
    use_freeze = freeze is not None and not part
    baseline = positions <= freeze if use_freeze else np.ones(n_points, dtype=bool)
    included = ~np.isin(positions, np.asarray(exclude, dtype=np.int64))

    shape = y2.shape
    out = {name: np.full(shape, np.nan) for name in ("y", "cl", "lcl", "ucl", "lcl95", "ucl95")}
    side = np.zeros(shape, dtype=np.int8)
    part_numbers = np.zeros(n_points, dtype=np.int64)
    parts: list[PartResult] = []
    for number, (start, stop) in enumerate(part_bounds(n_points, part), start=1):
        cols = slice(start, stop)
        base = baseline[cols] & included[cols]
        lines = chart_lines(
            chart,
            plotted[:, cols],
            ysum[:, cols],
            denominators[:, cols],
            base,
            screen_mr,
            mdc_limits,
        )
        for name in out:
            out[name][:, cols] = getattr(lines, name)
        inc = included[cols]
        runs = runs_analysis(lines.y[:, inc], lines.cl[:, inc])
        if chart == "mr":  # qicharts2: no runs analysis on MR charts (correlated ranges)
            runs.runs_signal = np.zeros_like(runs.runs_signal)
        side_part = np.zeros((shape[0], stop - start), dtype=np.int8)
        side_part[:, inc] = runs.signs
        side[:, cols] = side_part
        part_numbers[cols] = number
        parts.append(PartResult(number, start, stop, runs))

    y_raw = out["y"]
    m = float(multiply)
    scaled = {name: arr * m for name, arr in out.items()}
    for name in ("lcl", "ucl", "lcl95", "ucl95"):
        arr = scaled[name]
        arr[~np.isfinite(arr)] = np.nan
    with np.errstate(invalid="ignore"):
        sigma = (scaled["y"] > scaled["ucl"]) | (scaled["y"] < scaled["lcl"])

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
    )
