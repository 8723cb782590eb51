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
        side = np.sign(y - cl)
    return np.where(np.isnan(side), 0, side).astype(np.int8)


def runs_analysis(y: FloatArray, cl: FloatArray) -> RunsStats:
    """Runs analysis of the given (already included-only) points of one part."""
    n_series, n_points = y.shape
    signs = useful_signs(y, cl)
    useful = signs != 0
    n_useful = useful.sum(axis=1).astype(np.int64)

    # Sign of the previous useful point (0 if none): forward-fill the positions.
    positions = np.where(useful, np.arange(n_points), -1)
    last_seen = np.maximum.accumulate(positions, axis=1) if n_points else positions
    previous = np.full_like(last_seen, -1)
    previous[:, 1:] = last_seen[:, :-1]
    prev_sign = np.where(
        previous >= 0, np.take_along_axis(signs, np.clip(previous, 0, None), axis=1), 0
    )
    run_start = useful & (prev_sign != signs)
    crossing = run_start & (prev_sign != 0)
    n_crossings = crossing.sum(axis=1).astype(np.float64)

    # Length of every run: count useful points per (series, run number).
    run_number = np.cumsum(run_start, axis=1)
    keys = (np.arange(n_series)[:, None] * (n_points + 1) + run_number)[useful]
    lengths = np.bincount(keys, minlength=n_series * (n_points + 1))
    longest = lengths.reshape(n_series, n_points + 1).max(axis=1).astype(np.float64)

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
