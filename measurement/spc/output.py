"""Turning batch arrays into the CLI's JSON object, one series at a time.

The JSON names are the contract (docs/spc.md): ``points`` with ``y``, ``cl``,
``lcl``, ``ucl``, ``lcl95``, ``ucl95``, ``sigma_signal``, ``part``, ``included``,
``baseline``; ``parts`` with qicharts2's runs-analysis fields. A missing number
is ``null`` (never NaN, which is not JSON).
"""

from __future__ import annotations

import math
from typing import Any

from .core import BatchResult
from .ihi import ihi_extras
from .mdc import mdc_extras

_LINES = ("y", "cl", "lcl", "ucl", "lcl95", "ucl95")


def _num(value: float) -> float | None:
    """JSON has no NaN or infinity: a missing or non-finite number is null."""
    return value if math.isfinite(value) else None


def _int(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


def series_output(batch: BatchResult, row: int) -> dict[str, Any]:
    """``{"points": [...], "parts": [...]}`` for one series of a batch."""
    columns = {name: getattr(batch, name)[row].tolist() for name in _LINES}
    sigma = batch.sigma_signal[row].tolist()
    part = batch.part.tolist()
    included = batch.included.tolist()
    baseline = batch.baseline.tolist()
    points = [
        {
            "y": _num(columns["y"][c]),
            "cl": _num(columns["cl"][c]),
            "lcl": _num(columns["lcl"][c]),
            "ucl": _num(columns["ucl"][c]),
            "lcl95": _num(columns["lcl95"][c]),
            "ucl95": _num(columns["ucl95"][c]),
            "sigma_signal": bool(sigma[c]),
            "part": int(part[c]),
            "included": bool(included[c]),
            "baseline": bool(baseline[c]),
        }
        for c in range(len(part))
    ]
    if batch.x is not None and batch.subgroup_size is not None:
        labels = batch.x.tolist()
        sizes = batch.subgroup_size[row].tolist()
        for point, label, size in zip(points, labels, sizes, strict=True):
            point["x"] = int(label) if float(label).is_integer() else label
            point["subgroup_size"] = int(size)
    parts = []
    for p in batch.parts:
        r = p.runs
        parts.append(
            {
                "part": p.number,
                "n_obs": int(r.n_obs[row]),
                "n_useful": int(r.n_useful[row]),
                "longest_run": _int(r.longest_run[row]),
                "longest_run_max": _int(r.longest_run_max[row]),
                "n_crossings": _int(r.n_crossings[row]),
                "n_crossings_min": _int(r.n_crossings_min[row]),
                "runs_signal": bool(r.runs_signal[row]),
            }
        )
    return {"points": points, "parts": parts}


def with_method(
    result: dict[str, Any],
    batch: BatchResult,
    row: int,
    method: str,
    direction: str | None,
    target: float | None,
) -> dict[str, Any]:
    """Add the method's extra fields; ``runs_signal`` then follows that method's rules."""
    if method == "ihi":
        extras = ihi_extras(batch, row)
        result["shifts"] = extras["shifts"]
        result["trends"] = extras["trends"]
        for part, extra in zip(result["parts"], extras["parts"], strict=True):
            part.update(extra)
    elif method == "mdc":
        extras = mdc_extras(batch, row, direction, target)
        for point, extra in zip(result["points"], extras["points"], strict=True):
            point.update(extra)
        for part, signal in zip(result["parts"], extras["part_signals"], strict=True):
            part["runs_signal"] = signal
        result["variation_icon"] = extras["variation_icon"]
        result["assurance_icon"] = extras["assurance_icon"]
    return result
