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
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_LD = np.longdouble


def _ordered_ld_sum(values: npt.NDArray[Any]) -> npt.NDArray[np.longdouble]:
    """Row sums added left to right in extended precision (R's summation order).

    One vector addition per column, so each row is summed strictly in order
    (NumPy's own ``sum`` adds pairwise) without the (rows x columns) array of
    partial sums a ``cumsum`` would allocate. Double inputs are widened on the fly.
    """
    total = np.zeros(values.shape[0], dtype=_LD)
    for column in range(values.shape[1]):
        total += values[:, column]
    return total


def r_sum(x: FloatArray, mask: BoolArray) -> FloatArray:
    """``sum(x[mask], na.rm = TRUE)`` per row, as R computes it."""
    return _ordered_ld_sum(np.where(mask, x, 0.0)).astype(np.float64)


def _ld_mean(x: FloatArray, mask: BoolArray, count: npt.NDArray[np.int64]) -> Any:
    """R's two-pass mean in extended precision, before rounding to double."""
    values = np.where(mask, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _ordered_ld_sum(values) / count
        finite = np.isfinite(mean.astype(np.float64))
        correction = np.zeros(x.shape[0], dtype=_LD)
        for column in range(x.shape[1]):
            correction += np.where(mask[:, column], values[:, column] - mean, 0.0)
        return np.where(finite, mean + correction / count, mean)


def r_mean(x: FloatArray, mask: BoolArray) -> FloatArray:
    """``mean(x[mask])`` per row, as R computes it; NaN for an empty row."""
    count = mask.sum(axis=1)
    out = _ld_mean(x, mask, count).astype(np.float64)
    out[count == 0] = np.nan
    return out


def r_mean_sd(x: FloatArray, mask: BoolArray) -> tuple[FloatArray, FloatArray]:
    """``mean()`` and ``sd()`` of ``x[mask]`` per row, as R computes them.

    ``sd`` is ``sqrt(var)``, and ``var`` (R's ``cov.c``) takes the two-pass mean
    rounded to double, sums the squared residuals in extended precision and
    divides by ``n - 1`` before rounding; fewer than two values give NA.
    """
    count = mask.sum(axis=1)
    mean = _ld_mean(x, mask, count).astype(np.float64)
    centre = mean.astype(_LD)
    squares = np.zeros(x.shape[0], dtype=_LD)
    with np.errstate(invalid="ignore"):
        for column in range(x.shape[1]):
            residual = x[:, column] - centre
            squares += np.where(mask[:, column], residual * residual, 0.0)
        with np.errstate(divide="ignore"):
            sd = np.sqrt((squares / (count - 1)).astype(np.float64))
    mean[count == 0] = np.nan
    sd[count <= 1] = np.nan
    return mean, sd


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
    """``x ^ power`` as R computes it on x86-64: ``(double) powl(x, power)``.

    ``powl`` costs about half a microsecond a value, which would make t charts the
    slow part of a dashboard. So the power is first taken as ``expl(logl(x) *
    power)`` (seven times faster, within a few dozen extended-precision units of
    the exact value), and rounded to double; only the values that land so close
    to a rounding boundary between two doubles that the two methods could round
    differently -- a few percent -- are recomputed with ``powl``. The result is
    ``powl``'s, value for value (the tests compare them on a large sample).
    """
    xd = np.asarray(x, dtype=np.float64)
    ld_power = _LD(power)
    with np.errstate(all="ignore"):
        work = np.log(xd, dtype=_LD)  # one extended-precision buffer, reused below
        work *= ld_power
        # Bound on the distance between expl(logl(x) p) and powl, in units of the
        # extended format: the error of logl grows with |arg| through expl.
        # Measured over x from 1e-6 to 1e100 at p = 1/3.6 and 3.6: at most 0.67
        # of 3|arg| + 16; 4|arg| + 16 keeps a margin.
        tolerance = np.abs(work.astype(np.float64))
        tolerance *= 4
        tolerance += 16
        np.exp(work, out=work)
        out = work.astype(np.float64)
        # work - out has at most 11 significant bits: exact in double
        offset = np.subtract(work, out, dtype=_LD).astype(np.float64)
        gap_up = np.spacing(out)
        gap_down = np.where(np.frexp(out)[0] == 0.5, gap_up / 2, gap_up)  # below a power of 2
        tolerance *= gap_down * 2.0**-11
        margin = np.minimum(gap_up / 2 - offset, gap_down / 2 + offset)
        redo = ~(np.isfinite(out) & (out > 0) & (margin > tolerance))
    if redo.any():
        with np.errstate(invalid="ignore"):
            out[redo] = np.power(xd[redo].astype(_LD), ld_power).astype(np.float64)
    return out


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
