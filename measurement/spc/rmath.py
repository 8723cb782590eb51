"""R-compatible arithmetic, vectorised over rows (one row = one series).

Why this exists: the engine must agree with qicharts2 *exactly* on the runs
analysis, and that hinges on equality tests such as "is this point on the centre
line?" or "is this point above the limit?". A mean that differs from R's in the
last bit moves a point that R puts *on* the centre line to one side of it, which
changes ``n_useful``, the longest run and the signal. So the few statistics that
feed those comparisons are computed the way R computes them:

* ``mean()`` (R's ``summary.c``): sum the values in order in extended precision
  (``long double``), divide by the count, then add the mean of the residuals as a
  correction, and round to double once. NumPy's ``np.longdouble`` is the same
  80-bit x87 type that R uses on x86-64 Linux, and ``np.cumsum`` adds strictly
  left to right, like R's loop.
* ``sum(..., na.rm = TRUE)``: the same ordered extended-precision sum.
* ``sd()`` (``stats::var``, R's ``cov.c``): the mean as above rounded to double,
  then the squared residuals summed in extended precision, divided by ``n - 1``
  and rounded once; the square root is taken in double. Fewer than two values
  give NA.
* ``median()``: for an even count R returns ``mean()`` of the two middle values,
  i.e. their exact midpoint rounded once; an odd count returns the middle value.
* ``qbinom(0.05, m, 0.5)``: computed exactly with integers (the binomial tail is a
  ratio of integers, so there is no rounding to argue about) and cached.
* ``x ^ p``: R's ``R_pow()`` on x86-64 Linux raises in extended precision
  (``powl``) and rounds once; plain ``pow()`` differs by a few units in the last
  place on the t chart's transformation, which the qicharts2 outputs show.
* ``round()``: R rounds half to even (IEC 60559), which is what ``np.rint`` does.

All functions take a 2-D float array ``x`` and a boolean ``mask`` of the same
shape selecting the values to use; masked-out entries may hold anything.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_LD = np.longdouble


def _ordered_ld_sum(values: npt.NDArray[np.longdouble]) -> npt.NDArray[np.longdouble]:
    """Row sums added left to right in extended precision (R's summation order)."""
    if values.shape[1] == 0:
        return np.zeros(values.shape[0], dtype=_LD)
    return np.cumsum(values, axis=1)[:, -1]


def r_sum(x: FloatArray, mask: BoolArray) -> FloatArray:
    """``sum(x[mask], na.rm = TRUE)`` per row, as R computes it."""
    values = np.where(mask, x, 0.0).astype(_LD)
    return _ordered_ld_sum(values).astype(np.float64)


def r_mean(x: FloatArray, mask: BoolArray) -> FloatArray:
    """``mean(x[mask])`` per row, as R computes it; NaN for an empty row."""
    count = mask.sum(axis=1)
    values = np.where(mask, x, 0.0).astype(_LD)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = _ordered_ld_sum(values)
        mean = total / count
        finite = np.isfinite(mean.astype(np.float64))
        residuals = np.where(mask, values - mean[:, None], 0.0).astype(_LD)
        correction = _ordered_ld_sum(residuals) / count
        mean = np.where(finite, mean + correction, mean)
    out = mean.astype(np.float64)
    out[count == 0] = np.nan
    return out


def r_sd(x: FloatArray, mask: BoolArray) -> FloatArray:
    """``sd(x[mask], na.rm = TRUE)`` per row, as R computes it; NaN for < 2 values."""
    count = mask.sum(axis=1)
    mean = r_mean(x, mask).astype(_LD)
    with np.errstate(invalid="ignore", divide="ignore"):
        residuals = np.where(mask, x.astype(_LD) - mean[:, None], 0.0).astype(_LD)
        variance = (_ordered_ld_sum(residuals * residuals) / (count - 1)).astype(np.float64)
        out = np.sqrt(variance)
    out[count <= 1] = np.nan
    return out


def r_median(x: FloatArray, mask: BoolArray) -> FloatArray:
    """``median(x[mask])`` per row, as R computes it; NaN for an empty row."""
    count = mask.sum(axis=1)
    ordered = np.sort(np.where(mask, x, np.nan), axis=1)  # NaN sorts last
    lo = np.clip((count - 1) // 2, 0, None)[:, None]
    hi = np.clip(count // 2, 0, None)[:, None]
    if ordered.shape[1] == 0:
        return np.full(x.shape[0], np.nan)
    hi = np.minimum(hi, ordered.shape[1] - 1)
    a = np.take_along_axis(ordered, lo, axis=1)[:, 0].astype(_LD)
    b = np.take_along_axis(ordered, hi, axis=1)[:, 0].astype(_LD)
    out = ((a + b) / 2).astype(np.float64)
    out[count == 0] = np.nan
    return out


def r_pow(x: FloatArray, power: float) -> FloatArray:
    """``x ^ power`` as R computes it on x86-64 (``powl``, rounded to double once)."""
    with np.errstate(invalid="ignore"):
        return np.power(np.asarray(x, dtype=_LD), _LD(power)).astype(np.float64)


def r_round(x: FloatArray) -> FloatArray:
    """R's ``round(x)``: half to even."""
    return np.rint(x)


@lru_cache(maxsize=4096)
def qbinom_05(size: int) -> int:
    """``qbinom(0.05, size, 0.5)``: the smallest k with P(X <= k) >= 0.05.

    Exact: P(X <= k) = sum_{i<=k} C(size, i) / 2**size, so the test is
    ``20 * sum >= 2**size`` in integers.
    """
    if size <= 0:
        return 0
    target = 2**size
    cumulative = 0
    coefficient = 1
    for k in range(size + 1):
        cumulative += coefficient
        if 20 * cumulative >= target:
            return k
        coefficient = coefficient * (size - k) // (k + 1)
    return size  # not reached: the full sum is 2**size


def qbinom_05_array(sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """:func:`qbinom_05` for an array of sizes (negative sizes count as 0)."""
    sizes = np.clip(sizes, 0, None)
    if sizes.size == 0:
        return sizes.astype(np.int64)
    table = np.array([qbinom_05(int(m)) for m in range(int(sizes.max()) + 1)], dtype=np.int64)
    return table[sizes]
