"""SPC engine: run charts and control charts that agree with qicharts2.

Plain Python (NumPy, SciPy-free at run time) with no Django import, so it can be
tested, benchmarked and called from any tool. Three entry points:

* :func:`analyse` -- one series, keyword arguments named as in qicharts2's
  ``qic()``; returns exactly the JSON object of ``python -m measurement.spc``
  (see docs/spc.md for the contract).
* :func:`analyse_many` -- many requests; those that share a chart, a length and
  options are computed together as one vectorised batch.
* :func:`analyse_arrays` -- the batch path itself: 2-D arrays in, arrays out
  (:class:`BatchResult`), no per-point Python objects. Dashboards and the bench
  use it.

Invalid input raises :class:`SpcInputError` (a ``ValueError``) whose
``as_dict()`` is the platform's error body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .core import BatchResult, PartResult, analyse_arrays
from .errors import SpcInputError
from .limits import CHARTS
from .output import series_output, with_method
from .validation import METHODS, Spec, parse_args

__all__ = [
    "CHARTS",
    "METHODS",
    "BatchResult",
    "PartResult",
    "SpcInputError",
    "analyse",
    "analyse_arrays",
    "analyse_many",
]


def _run(specs: list[Spec]) -> list[dict[str, Any]]:
    """Analyse validated specs that share everything but their values."""
    first = specs[0]
    y = np.vstack([s.y for s in specs])
    n = None if first.n is None else np.vstack([s.n for s in specs])  # type: ignore[misc]
    batch = analyse_arrays(
        first.chart,
        y,
        n,
        freeze=first.freeze,
        part=first.part,
        exclude=first.exclude,
        multiply=first.multiply,
        screen_mr=first.screen_mr,
        mdc_limits=first.method == "mdc" and first.chart == "i",
        x=None if first.x is None else np.asarray(first.x, dtype=np.float64),
        y_neg=first.y_neg,
        validate=False,
    )
    return [
        with_method(series_output(batch, row), batch, row, s.method, s.direction, s.target)
        for row, s in enumerate(specs)
    ]


def analyse(**args: Any) -> dict[str, Any]:
    """Analyse one series; returns ``{"points": [...], "parts": [...]}`` (+ method fields).

    Arguments: ``chart``, ``y``, ``n``, ``x``, ``freeze``, ``part``, ``exclude``,
    ``multiply``, ``y.neg``, ``method``, ``screen_mr``, ``direction``, ``target``
    (docs/spc.md). ``y.neg`` is not a Python name: pass ``**{"y.neg": False}``.
    """
    return _run([parse_args(args)])[0]


def _group_key(spec: Spec) -> tuple[Any, ...]:
    return (
        spec.chart,
        spec.y.size,
        spec.n is None,
        spec.freeze,
        spec.part,
        spec.exclude,
        spec.multiply,
        spec.screen_mr,
        spec.method == "mdc" and spec.chart == "i",
        spec.x,
        spec.y_neg,
    )


def analyse_many(requests: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Analyse many requests, batching those that can share one vectorised pass.

    Results come back in request order. An invalid request raises
    :class:`SpcInputError` whose message starts with its index.
    """
    specs: list[Spec] = []
    for index, request in enumerate(requests):
        try:
            specs.append(parse_args(request))
        except SpcInputError as error:
            raise SpcInputError(f"request {index}: {error.message}", error.fields) from error
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, spec in enumerate(specs):
        groups.setdefault(_group_key(spec), []).append(index)
    results: list[dict[str, Any]] = [{} for _ in specs]
    for indices in groups.values():
        for index, result in zip(indices, _run([specs[i] for i in indices]), strict=True):
            results[index] = result
    return results
