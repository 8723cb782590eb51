"""R's default random numbers, so published R examples can be rebuilt exactly.

The qicharts2 vignette and NHSRplotthedots' tests publish results for data made
with ``set.seed(k); rnorm(n)``. Rebuilding those inputs lets the tests compare
against the published numbers instead of numbers we computed ourselves.

R (>= 3.6) defaults to the Mersenne-Twister with "Inversion" normals. This is an
independent implementation of what R documents (``?RNGkind``) and does in
src/main/RNG.c and src/nmath/snorm.c:

* ``set.seed(seed)`` scrambles the seed with the LCG ``seed = 69069 * seed + 1``
  fifty times, then fills the 625-word state the same way; the first word is the
  position (set to 624, so the first draw regenerates the block);
* ``unif_rand()`` is MT19937's 32-bit output times 2**-32, kept inside (0, 1);
* ``norm_rand()`` by inversion: ``u = floor(2**27 * U1) + U2``, then
  ``qnorm(u / 2**27)``.

NumPy's ``MT19937`` is the reference Mersenne-Twister, so only the seeding and
the transformations are ours. ``scipy.special.ndtri`` stands in for R's
``qnorm`` (both are accurate to about 1e-16, far inside the tests' tolerances).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

_I2_32M1 = 2.328306437080797e-10  # 1 / (2**32 - 1)
_BIG = 134217728  # 2**27


class RRandom:
    """``set.seed(seed)`` followed by draws of ``runif``/``rnorm``, as in R."""

    def __init__(self, seed: int) -> None:
        state = seed & 0xFFFFFFFF
        for _ in range(50):
            state = (69069 * state + 1) & 0xFFFFFFFF
        words = []
        for _ in range(625):
            state = (69069 * state + 1) & 0xFFFFFFFF
            words.append(state)
        self._mt = np.random.MT19937()
        self._mt.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.array(words[1:], dtype=np.uint32), "pos": 624},
        }

    def unif_rand(self) -> float:
        value = int(self._mt.random_raw()) * 2.3283064365386963e-10
        if value <= 0.0:
            return 0.5 * _I2_32M1
        if 1.0 - value <= 0.0:
            return 1.0 - 0.5 * _I2_32M1
        return value

    def rnorm(self, n: int, mean: float = 0.0, sd: float = 1.0) -> np.ndarray:
        out = np.empty(n)
        for i in range(n):
            u = self.unif_rand()
            u = int(_BIG * u) + self.unif_rand()
            out[i] = mean + sd * float(ndtri(u / _BIG))
        return out
