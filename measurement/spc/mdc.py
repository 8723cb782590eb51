"""NHS "Making Data Count" rules and icons (as implemented by NHSRplotthedots).

Used with ``method: mdc``. Follows NHSRplotthedots ``ptd_calculate_point_type.R``
and ``ptd_calculate_assurance_type.R`` (nhs-r-community/NHSRplotthedots): per part,
a point is a special cause when it is

1. outside the process limits (any non-missing point, excluded ones included);
2. part of 7 consecutive points all rising or all falling (a tie breaks it);
3. one of 2-out-of-3 consecutive points beyond the "2 sigma" lines on the same
   side of the mean (only the points beyond count; a point beyond the 3-sigma
   limit is already rule 1);
4. part of 7 consecutive points on one side of the mean (a point on the mean
   breaks it).

Rules 2-4 read the included, non-missing points of the part in order (gaps and
excluded points are skipped: NHSRplotthedots itself expects no gaps). The first
rule that applies names the point's direction: "high" for above the mean or a
rising trend, "low" otherwise; with ``direction`` that becomes improvement or
concern. The variation icon reads the last non-missing point; the assurance
icon compares ``target`` with that point's limits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import BatchResult

RUN = 7


def _part_of_seven(flags: np.ndarray) -> np.ndarray:
    """A point belongs to a 7-point pattern if the pattern ends within 6 points after it."""
    out = np.zeros(flags.size, dtype=bool)
    for end in np.nonzero(flags)[0]:
        out[max(0, end - RUN + 1) : end + 1] = True
    return out


def _seven_one_side(side: np.ndarray) -> np.ndarray:
    ends = np.zeros(side.size, dtype=bool)
    for j in range(RUN - 1, side.size):
        window = side[j - RUN + 1 : j + 1]
        ends[j] = window[0] != 0 and bool(np.all(window == window[0]))
    return _part_of_seven(ends)


def _seven_trend(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points in a 7-point trend, and the direction NHSRplotthedots gives each."""
    steps = np.sign(np.diff(values))
    ends = np.zeros(values.size, dtype=bool)
    for j in range(RUN - 1, values.size):
        window = steps[j - RUN + 1 : j]
        ends[j] = bool(np.all(window == 1) or np.all(window == -1))
    member = _part_of_seven(ends)
    direction = np.zeros(values.size, dtype=np.int8)
    for j in np.nonzero(member)[0].tolist():
        # Where two trends meet, the point takes the direction of the one after it.
        step = steps[j] if j + 1 < values.size and member[j + 1] else steps[j - 1] if j else 0
        direction[j] = step if step else -1  # NHSRplotthedots reads a flat step as falling
    return member, direction


def _two_in_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    size = close.size
    hit = np.zeros(size, dtype=bool)
    for start in range(-2, size):
        idx = [k for k in range(start, start + 3) if 0 <= k < size]
        if len(idx) < 3:
            continue
        if close[idx].sum() >= 2 and abs(int(side[idx].sum())) == 3:
            hit[idx] = True
    return hit & close


def _icon_side(v: int) -> str:
    return "high" if v > 0 else "low"


def mdc_extras(
    batch: BatchResult, row: int, direction: str | None, target: float | None
) -> dict[str, Any]:
    """Per-point special causes, per-part run signals and the two icons."""
    y, ucl, lcl = batch.y[row], batch.ucl[row], batch.lcl[row]
    ucl95, lcl95 = batch.ucl95[row], batch.lcl95[row]
    present = ~np.isnan(y)
    with np.errstate(invalid="ignore"):
        above = present & (y > ucl)
        below = present & (y < lcl)
        close = present & ~above & ~below & ((y < lcl95) | (y > ucl95))
    rule: list[str | None] = [None] * y.size
    high = np.zeros(y.size, dtype=np.int8)
    for c in np.nonzero(above | below)[0].tolist():
        rule[c], high[c] = "outside_limits", 1 if above[c] else -1

    part_signals: list[bool] = []
    for part in batch.parts:
        cols = np.array(
            [c for c in range(part.start, part.stop) if batch.included[c] and present[c]],
            dtype=np.int64,
        )
        if cols.size == 0:
            part_signals.append(False)
            continue
        side = batch.side[row, cols].astype(np.int64)
        in_trend, trend_dir = _seven_trend(batch.y_raw[row, cols])
        in_two = _two_in_three(close[cols], side)
        in_shift = _seven_one_side(side)
        part_signals.append(bool(in_trend.any() or in_shift.any()))
        for k, c in enumerate(cols.tolist()):
            if rule[c] is not None:
                continue
            if in_trend[k]:
                rule[c], high[c] = "trend", int(trend_dir[k])
            elif in_two[k]:
                rule[c], high[c] = "two_in_three", int(side[k])
            elif in_shift[k]:
                rule[c], high[c] = "shift", int(side[k])

    sign = {"up": 1, "down": -1}.get(direction or "", 0)
    points = []
    for c in range(y.size):
        oriented = int(high[c]) * sign if rule[c] is not None else 0
        kind = "improvement" if oriented > 0 else "concern" if oriented < 0 else "neither"
        points.append(
            {
                "special_cause": rule[c] is not None,
                "special_cause_type": kind,
                "special_cause_rule": rule[c],
            }
        )

    variation_icon = None
    assurance_icon = None
    last = np.nonzero(present)[0]
    if last.size:
        c = int(last[-1])
        if rule[c] is None:
            variation_icon = "common_cause"
        else:
            variation_icon = (
                f"special_cause_{points[c]['special_cause_type']}_{_icon_side(int(high[c]))}"
            )
        if target is not None and sign and not (np.isnan(ucl[c]) or np.isnan(lcl[c])):
            if target > ucl[c]:
                assurance_icon = "consistent_fail" if sign > 0 else "consistent_pass"
            elif target < lcl[c]:
                assurance_icon = "consistent_pass" if sign > 0 else "consistent_fail"
            else:
                assurance_icon = "inconsistent"
    return {
        "points": points,
        "part_signals": part_signals,
        "variation_icon": variation_icon,
        "assurance_icon": assurance_icon,
    }
