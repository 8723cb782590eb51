"""Charts of subgrouped measurements: xbar (subgroup means) and s (subgroup SDs).

qicharts2 takes one row per measurement and a subgroup label ``x``; ``qic.agg()``
turns the rows sharing an ``x`` into one point (one subgroup) with its size
(``y.length``, the non-missing values), mean (``y.mean``) and standard deviation
(``y.sd``), in ascending order of ``x``. Parts, ``freeze`` and ``exclude`` are
then positions among those points, not among the rows. :func:`aggregate` does
that step for a whole batch at once (every series of a batch shares ``x``), and
:func:`xbar_chart` / :func:`s_chart` follow ``qic.xbar()`` / ``qic.s()``
(R/helper.functions.R, qicharts2 0.8.x; Montgomery, Introduction to Statistical
Quality Control, 6.29-6.31):

* constant subgroup size within the part: sigma is the mean of the subgroup SDs;
  variable size: the pooled SD ``sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1))``;
* xbar: CL is the size-weighted mean of the means, limits CL -/+ A3(n_i) sigma;
* s: CL is that sigma, limits B3(n_i) CL and B4(n_i) CL;
* A3, B3, B4 come from c4(n) = sqrt(2 / (n - 1)) Gamma(n / 2) / Gamma((n - 1) / 2)
  with 3 (or 2, for the 95% lines) in place of the usual 3; a subgroup of one
  value has no limits.

The sums and means that decide "is this point on the centre line?" are R's
(:mod:`.rmath`); within a subgroup the values are taken in their input order,
as R's ``split()`` keeps them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .limits import Lines
from .rmath import BoolArray, FloatArray, r_mean, r_mean_sd, r_sum

SUBGROUP_CHARTS = ("xbar", "s")


@dataclass
class Subgroups:
    """Subgroup statistics of S series sharing one ``x``; arrays are (S, G)."""

    x: FloatArray  # (G,) the distinct subgroup labels, ascending
    size: FloatArray  # non-missing values in the subgroup (R's y.length)
    mean: FloatArray  # NaN when the subgroup has no value
    sd: FloatArray  # NaN when the subgroup has fewer than two values


def aggregate(x: FloatArray, y: FloatArray) -> Subgroups:
    """Group the columns of ``y`` (S, T) by ``x`` (T,), as qicharts2's ``qic.agg()``."""
    labels, group, counts = np.unique(x, return_inverse=True, return_counts=True)
    n_series, n_groups, width = y.shape[0], labels.size, int(counts.max(initial=0))
    if np.all(counts == width) and np.all(x[1:] >= x[:-1]):
        values = y.reshape(n_series, n_groups, width)  # already in subgroups: no copy
    else:
        order = np.argsort(group, kind="stable")  # input order kept within a subgroup
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        slot = np.arange(order.size) - starts[group[order]]
        values = np.full((n_series, n_groups, width), np.nan)
        values[:, group[order], slot] = y[:, order]
    flat = values.reshape(n_series * n_groups, width)
    mask = ~np.isnan(flat)
    mean, sd = r_mean_sd(flat, mask)
    return Subgroups(
        x=labels.astype(np.float64),
        size=mask.sum(axis=1).reshape(n_series, n_groups).astype(np.float64),
        mean=mean.reshape(n_series, n_groups),
        sd=sd.reshape(n_series, n_groups),
    )


@lru_cache(maxsize=1024)
def _c4(n: int) -> float:
    """c4(n) as qicharts2 writes it (``exp(lgamma(n/2) - lgamma((n-1)/2))``); NaN for n < 2."""
    if n < 2:
        return math.nan
    return math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def _factors(size: FloatArray, sigmas: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """A3, B3 and B4 for each subgroup size (NaN for sizes of one or less)."""
    sizes = size.astype(np.int64)
    table = np.array([_c4(k) for k in range(int(sizes.max(initial=0)) + 1)])
    c4 = table[sizes]
    with np.errstate(invalid="ignore"):
        c5 = np.sqrt(1 - c4**2)
        a3 = sigmas / (c4 * np.sqrt(size))
        b3 = np.where(np.isnan(c4), np.nan, np.maximum(0.0, 1 - sigmas * c5 / c4))  # pmax(0, NA)
        b4 = 1 + sigmas * c5 / c4
    return a3, b3, b4


def _sigma(size: FloatArray, sd: FloatArray, base: BoolArray) -> FloatArray:
    """Mean SD (constant size in the part) or the pooled SD (variable size), per row."""
    variable = np.any(size != size[:, :1], axis=1)
    in_base = np.broadcast_to(base[None, :], size.shape)
    mean_sd = r_mean(sd, in_base & ~np.isnan(sd))
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = (size - 1) * (sd * sd)
        pooled = np.sqrt(r_sum(weighted, in_base & ~np.isnan(weighted)) / r_sum(size - 1, in_base))
    return np.where(variable, pooled, mean_sd)


def xbar_chart(groups: Subgroups, cols: slice, base: BoolArray) -> Lines:
    """qic.xbar: CL = sum(n_i mean_i) / sum(n_i); limits CL -/+ A3(n_i) sigma."""
    size, mean, sd = groups.size[:, cols], groups.mean[:, cols], groups.sd[:, cols]
    in_base = np.broadcast_to(base[None, :], size.shape)
    weighted = size * mean
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = r_sum(weighted, in_base & ~np.isnan(weighted)) / r_sum(size, in_base)
    sigma = _sigma(size, sd, base)[:, None]
    a3, _, _ = _factors(size, 3.0)
    a3_95, _, _ = _factors(size, 2.0)
    cl2 = np.broadcast_to(cl[:, None], size.shape).copy()
    with np.errstate(invalid="ignore"):
        return Lines(
            mean.copy(),
            cl2,
            cl2 - a3 * sigma,
            cl2 + a3 * sigma,
            cl2 - a3_95 * sigma,
            cl2 + a3_95 * sigma,
        )


def s_chart(groups: Subgroups, cols: slice, base: BoolArray) -> Lines:
    """qic.s: plots the subgroup SDs; CL = sigma; limits B3(n_i) CL and B4(n_i) CL."""
    size, sd = groups.size[:, cols], groups.sd[:, cols]
    cl = np.broadcast_to(_sigma(size, sd, base)[:, None], size.shape).copy()
    _, b3, b4 = _factors(size, 3.0)
    _, b3_95, b4_95 = _factors(size, 2.0)
    with np.errstate(invalid="ignore"):
        return Lines(sd.copy(), cl, b3 * cl, b4 * cl, b3_95 * cl, b4_95 * cl)


def subgroup_lines(chart: str, groups: Subgroups, cols: slice, base: BoolArray) -> Lines:
    """Dispatch for the subgroup charts (``base`` is the part's baseline mask)."""
    if chart == "xbar":
        return xbar_chart(groups, cols, base)
    if chart == "s":
        return s_chart(groups, cols, base)
    raise ValueError(f"not a subgroup chart: {chart!r}")


def unique_count(x: npt.ArrayLike) -> int:
    """Number of subgroups (output points) a list of labels makes."""
    return int(np.unique(np.asarray(x, dtype=np.float64)).size)
