"""A small helper the evaluation reads share."""

from __future__ import annotations


def mean(values) -> float:
    """Arithmetic mean (``statistics.mean`` is exact but far slower on many numbers)."""
    values = list(values)
    return sum(values) / len(values)
