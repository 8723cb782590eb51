"""Anhoej runs analysis (qicharts2 ``runs.analysis()``), many series at once.

For each series: take the included points of the part, their sign against the
centre line, drop points on the line and missing points (what is left are the
``n_useful`` points), then

* ``longest_run``: the longest sequence of useful points on the same side;
* ``n_crossings``: the number of runs minus one;
* signal when ``longest_run > round(log2(n_useful)) + 3`` (Schilling 2012) or
  ``n_crossings < qbinom(0.05, n_useful - 1, 0.5)`` (Chen 2010).

With no useful point the counts are missing and there is no signal, as in R.
Everything is array arithmetic: a forward fill finds each useful point's
previous useful neighbour, so series with gaps in different places need no loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .rmath import FloatArray, qbinom_05_array, r_round

IntArray = npt.NDArray[np.int64]


@dataclass
class RunsStats:
    """Per-series results of the runs analysis of one part (NaN = missing)."""

    n_obs: IntArray
    n_useful: IntArray
    longest_run: FloatArray
    longest_run_max: FloatArray
    n_crossings: FloatArray
    n_crossings_min: FloatArray
    runs_signal: npt.NDArray[np.bool_]
    signs: npt.NDArray[np.int8]  # (S, L) -1/0/+1 of the useful points, 0 elsewhere


def useful_signs(y: FloatArray, cl: FloatArray) -> npt.NDArray[np.int8]:
    """Side of the centre line of each point: +1/-1, or 0 if on it or missing."""
    with np.errstate(invalid="ignore"):
        above = (y > cl).view(np.int8)
        below = (y < cl).view(np.int8)
    return above - below


def runs_analysis(y: FloatArray, cl: FloatArray) -> RunsStats:
    """Runs analysis of the given (already included-only) points of one part."""
    n_series, n_points = y.shape
    signs = useful_signs(y, cl)
    useful = signs != 0
    n_useful = np.count_nonzero(useful, axis=1).astype(np.int64)

    # Sign of the previous useful point (0 if none), by a forward fill: each useful
    # point is coded 4 x position + (sign + 1) (so 0, 2), others -1; the running
    # maximum then holds the last useful point's code.
    code = np.where(useful, np.arange(n_points, dtype=np.int32) * 4 + (signs + 1), -1)
    if n_points:
        np.maximum.accumulate(code, axis=1, out=code)
    prev_sign = np.zeros((n_series, n_points), dtype=np.int8)
    prev_code = code[:, :-1]
    prev_sign[:, 1:] = np.where(prev_code >= 0, (prev_code & 3) - 1, 0)
    run_start = useful & (prev_sign != signs)
    n_crossings = np.count_nonzero(run_start & (prev_sign != 0), axis=1).astype(np.float64)

    # Length of every run: count useful points per (series, run number); points
    # that are not useful go to the series' bin 0, which is not a run.
    width = n_points + 1
    run_number = np.cumsum(run_start, axis=1, dtype=np.int32)
    keys = np.where(useful, run_number, 0) + (np.arange(n_series, dtype=np.int32) * width)[:, None]
    lengths = np.bincount(keys.ravel(), minlength=n_series * width).reshape(n_series, width)
    lengths[:, 0] = 0
    longest = lengths.max(axis=1).astype(np.float64)

    has = n_useful > 0
    with np.errstate(divide="ignore"):
        longest_max = r_round(np.log2(n_useful.astype(np.float64))) + 3
    crossings_min = qbinom_05_array(np.maximum(n_useful - 1, 0)).astype(np.float64)
    signal = has & ((longest > longest_max) | (n_crossings < crossings_min))

    nan = np.nan
    return RunsStats(
        n_obs=np.full(n_series, n_points, dtype=np.int64),
        n_useful=n_useful,
        longest_run=np.where(has, longest, nan),
        longest_run_max=np.where(has, longest_max, nan),
        n_crossings=np.where(has, n_crossings, nan),
        n_crossings_min=np.where(has, crossings_min, nan),
        runs_signal=signal,
        signs=signs,
    )
