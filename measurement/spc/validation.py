"""Checking the arguments of an analysis before any arithmetic.

The CLI contract promises exit code 2 and a message naming the problem for
every invalid input, so validation is explicit and complete rather than left to
NumPy to trip over: all problems are collected per argument and raised together
(:func:`.errors.raise_for`). Positions in messages are 1-based, like the
arguments ``freeze``, ``part`` and ``exclude``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import raise_for
from .limits import CHARTS, COUNT_CHARTS, PROPORTION_CHARTS, RATE_CHARTS
from .rmath import FloatArray
from .subgroups import SUBGROUP_CHARTS, unique_count

METHODS = ("anhoej", "ihi", "mdc")
DIRECTIONS = ("up", "down")
ARGUMENTS = (
    "chart",
    "y",
    "n",
    "freeze",
    "part",
    "exclude",
    "multiply",
    "method",
    "screen_mr",
    "direction",
    "target",
    "x",
    "y.neg",
)
# Charts that take no denominators: their y is a measurement, a time or a count
# of opportunities (qicharts2 would divide by n; the engine refuses n instead).
NO_N_CHARTS = ("xbar", "s", "t", "g")
_SHOWN = 5  # offending positions listed in a message


@dataclass(frozen=True)
class Spec:
    """A validated analysis request (one series)."""

    chart: str
    y: FloatArray  # NaN = missing
    n: FloatArray | None
    freeze: int | None
    part: tuple[int, ...]
    exclude: tuple[int, ...]
    multiply: float
    method: str
    screen_mr: bool
    direction: str | None
    target: float | None
    x: tuple[float, ...] | None = None  # subgroup labels (xbar, s)
    y_neg: bool = True


def _where(mask: np.ndarray, n_series: int) -> str:
    """Name the first offending positions (and series, in a batch)."""
    rows, cols = np.nonzero(mask)
    shown = [
        (f"series {r + 1} position {c + 1}" if n_series > 1 else f"position {c + 1}")
        for r, c in zip(rows[:_SHOWN], cols[:_SHOWN], strict=True)
    ]
    more = len(rows) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def check_arrays(chart: str, y: FloatArray, n: FloatArray | None) -> dict[str, list[str]]:
    """Problems with the values themselves (2-D arrays, NaN = missing)."""
    problems: dict[str, list[str]] = {}
    if chart not in CHARTS:
        problems["chart"] = [f"unknown chart {chart!r}; expected one of {', '.join(CHARTS)}"]
        return problems
    if y.shape[1] == 0:
        problems["y"] = ["must contain at least one value"]
        return problems
    if np.isinf(y).any():
        problems.setdefault("y", []).append(
            f"values must be finite ({_where(np.isinf(y), len(y))})"
        )
    if chart in COUNT_CHARTS:
        with np.errstate(invalid="ignore"):
            negative = y < 0
        if negative.any():
            problems.setdefault("y", []).append(
                f"counts cannot be negative for {chart} charts ({_where(negative, len(y))})"
            )
    if chart == "t":
        with np.errstate(invalid="ignore"):
            not_positive = y <= 0
        if not_positive.any():
            problems.setdefault("y", []).append(
                "times between events must be greater than zero for t charts "
                f"({_where(not_positive, len(y))})"
            )
    if n is not None and chart in NO_N_CHARTS:
        problems["n"] = [f"is not used by {chart} charts; leave it out"]
        return problems
    if n is None:
        if chart in RATE_CHARTS:
            problems["n"] = [f"is required for {chart} charts (the denominators)"]
        return problems
    if n.shape != y.shape:
        problems["n"] = [
            f"must have the same length as y ({y.shape[1]} values), got {n.shape[1]}"
            if n.shape[0] == y.shape[0]
            else f"must have the same shape as y {y.shape}, got {n.shape}"
        ]
        return problems
    with np.errstate(invalid="ignore"):
        bad_n = ~np.isnan(n) & ~(n > 0)
        if np.isinf(n).any():
            problems.setdefault("n", []).append(
                f"values must be finite ({_where(np.isinf(n), len(n))})"
            )
        if bad_n.any():
            problems.setdefault("n", []).append(
                f"denominators must be greater than zero ({_where(bad_n, len(n))})"
            )
    if chart in PROPORTION_CHARTS:
        with np.errstate(invalid="ignore"):
            over = y > n
        if over.any():
            problems.setdefault("y", []).append(
                f"numerator exceeds denominator in a {chart} chart ({_where(over, len(y))})"
            )
    return problems


def check_subgroups(chart: str, n_values: int, x: FloatArray | None) -> dict[str, list[str]]:
    """Problems with ``x``: required by xbar and s charts, refused by the others."""
    if chart not in SUBGROUP_CHARTS:
        if x is None:
            return {}
        return {"x": ["only xbar and s charts take subgroups (x); leave it out"]}
    if x is None:
        return {"x": [f"is required for {chart} charts (the subgroup of each value)"]}
    if x.ndim != 1 or x.size != n_values:
        return {"x": [f"must have the same length as y ({n_values} values), got {x.size}"]}
    if not np.isfinite(x).all():
        return {"x": [f"must be finite numbers, no nulls ({_where(~np.isfinite(x)[None, :], 1)})"]}
    return {}


def check_positions(
    n_points: int,
    freeze: int | None,
    part: Sequence[int],
    exclude: Sequence[int],
) -> dict[str, list[str]]:
    """Problems with the 1-based positions ``freeze``, ``part`` and ``exclude``."""
    problems: dict[str, list[str]] = {}
    if freeze is not None and not 1 <= freeze <= n_points:
        problems["freeze"] = [f"must be between 1 and {n_points} (the number of points)"]
    bad_part = [p for p in part if not 1 <= p <= n_points - 1]
    if bad_part:
        problems["part"] = [
            f"positions must be between 1 and {n_points - 1} (the last point of each part "
            f"except the last); got {', '.join(map(str, bad_part[:_SHOWN]))}"
        ]
    bad_exclude = [p for p in exclude if not 1 <= p <= n_points]
    if bad_exclude:
        problems["exclude"] = [
            f"positions must be between 1 and {n_points}; "
            f"got {', '.join(map(str, bad_exclude[:_SHOWN]))}"
        ]
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(value: Any, name: str, problems: dict[str, list[str]]) -> FloatArray | None:
    """A JSON list of numbers and nulls, as floats with NaN for null."""
    if not isinstance(value, list):
        problems[name] = ["must be a list of numbers (null for a missing value)"]
        return None
    bad = [i + 1 for i, v in enumerate(value) if v is not None and not _is_number(v)]
    if bad:
        problems[name] = [
            f"must contain only numbers or null (position {', '.join(map(str, bad[:_SHOWN]))})"
        ]
        return None
    nonfinite = [i + 1 for i, v in enumerate(value) if v is not None and not math.isfinite(v)]
    if nonfinite:
        problems[name] = [
            f"values must be finite (position {', '.join(map(str, nonfinite[:_SHOWN]))})"
        ]
        return None
    return np.array([np.nan if v is None else float(v) for v in value], dtype=np.float64)


def _integers(value: Any, name: str, problems: dict[str, list[str]]) -> tuple[int, ...] | None:
    """An integer or a list of integers (qicharts2 accepts both)."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        problems[name] = ["must be an integer position or a list of integer positions"]
        return None
    return tuple(items)


def parse_args(args: Mapping[str, Any]) -> Spec:
    """Validate one request (the CLI's JSON object) into a :class:`Spec`."""
    if not isinstance(args, Mapping):
        raise_for({"input": ["must be a JSON object with the analysis arguments"]})
    problems: dict[str, list[str]] = {}
    for key in args:
        if key not in ARGUMENTS:
            problems[str(key)] = [f"unknown argument; expected some of {', '.join(ARGUMENTS)}"]

    chart = args.get("chart", "run")
    if chart not in CHARTS:
        problems["chart"] = [f"unknown chart {chart!r}; expected one of {', '.join(CHARTS)}"]
    if "y" not in args:
        problems["y"] = ["is required"]
        y = None
    else:
        y = _numbers(args["y"], "y", problems)
    n = None if args.get("n") is None else _numbers(args["n"], "n", problems)

    freeze = args.get("freeze")
    if freeze is not None and not (isinstance(freeze, int) and not isinstance(freeze, bool)):
        problems["freeze"] = ["must be an integer position"]
        freeze = None
    part = () if args.get("part") is None else _integers(args["part"], "part", problems)
    exclude = () if args.get("exclude") is None else _integers(args["exclude"], "exclude", problems)

    multiply = args.get("multiply", 1)
    if not _is_number(multiply) or not math.isfinite(multiply) or multiply <= 0:
        problems["multiply"] = ["must be a number greater than zero"]
    method = args.get("method", "anhoej")
    if method not in METHODS:
        problems["method"] = [f"unknown method {method!r}; expected one of {', '.join(METHODS)}"]
    elif method == "mdc" and chart in ("run", "mr"):
        problems["method"] = [
            "mdc (Making Data Count) needs a control chart: use i, xbar, s, t, p, pp, c, u, up or g"
        ]
    screen_mr = args.get("screen_mr", True)
    if not isinstance(screen_mr, bool):
        problems["screen_mr"] = ["must be true or false"]
    direction = args.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems["direction"] = ["must be 'up', 'down' or null"]
    target = args.get("target")
    if target is not None and (not _is_number(target) or not math.isfinite(target)):
        problems["target"] = ["must be a finite number or null"]
    y_neg = args.get("y.neg", True)
    if not isinstance(y_neg, bool):
        problems["y.neg"] = ["must be true or false"]
    x = None if args.get("x") is None else _numbers(args["x"], "x", problems)

    if y is not None and chart in CHARTS:
        y2 = y[None, :]
        n2 = None if n is None else n[None, :]
        if n is not None and n.shape != y.shape and chart not in NO_N_CHARTS:
            problems["n"] = [f"must have the same length as y ({y.size} values), got {n.size}"]
        else:
            for key, messages in check_arrays(chart, y2, n2).items():
                problems.setdefault(key, []).extend(messages)
        if "x" not in problems:
            for key, messages in check_subgroups(chart, y.size, x).items():
                problems.setdefault(key, []).extend(messages)
        if y.size and "x" not in problems:
            n_points = unique_count(x) if x is not None and chart in SUBGROUP_CHARTS else y.size
            positions = check_positions(n_points, freeze, part or (), exclude or ())
            for key, messages in positions.items():
                problems.setdefault(key, []).extend(messages)
    raise_for(problems)
    assert y is not None and part is not None and exclude is not None  # for the type checker
    return Spec(
        chart=chart,
        y=y,
        n=n,
        freeze=freeze,
        part=tuple(part),
        exclude=tuple(exclude),
        multiply=float(multiply),
        method=method,
        screen_mr=screen_mr,
        direction=direction,
        target=None if target is None else float(target),
        x=None if x is None else tuple(x.tolist()),
        y_neg=y_neg,
    )
