"""IHI run chart rules (Perla, Provost and Murray, BMJ Qual Saf 2011;20:46-51).

Used with ``method: ihi``. Per part, on the included, non-missing points:

* shift: 6 or more consecutive points on the same side of the centre line;
  points on the line neither count nor break it;
* trend: 5 or more consecutive points all going up or all going down; equal
  neighbours count once (they neither make nor break a trend);
* runs: the number of runs (crossings + 1) against the published table of
  limits for the number of useful observations (:data:`RUNS_TABLE`);
* the astronomical point is a judgement and is not computed.

Positions in the output are 1-based, like the inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import BatchResult

SHIFT_LENGTH = 6
TREND_LENGTH = 5

#: Table 1 of Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical
#: tool for learning from variation in healthcare processes. BMJ Qual Saf
#: 2011;20:46-51 (doi:10.1136/bmjqs.2009.037895), derived there from Swed and
#: Eisenhart (1943). Key: number of useful observations (points not on the
#: median); value: (lower, upper) -- fewer runs than ``lower`` is "too few", more
#: than ``upper`` is "too many".
#:
#: Only rows 10-26 are held: they agree with the one other copy found in public
#: code (unsourced too, so two copies agree; neither was checked against the
#: article). The article's rows 27-60 could not be read where this was written,
#: and the values previously held for them were not a transcription (rows 41-60
#: equalled an exact Swed-Eisenhart computation at 5% per tail, a method rows
#: 10-26 show the article does not use). Rather than give a verdict from
#: unverified limits, the runs test is reported as not assessed (null) outside
#: 10..26; docs/spc.md says how to complete the table.
RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12),
    15: (5, 12), 16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15),
    20: (6, 16), 21: (7, 16), 22: (7, 17), 23: (7, 17), 24: (8, 18),
    25: (8, 18), 26: (9, 19),
}  # fmt: skip


def shifts(sides: list[int], positions: list[int]) -> list[list[int]]:
    """Runs of >= 6 useful points on one side; ``sides`` are +1/-1 (0 = skip)."""
    found: list[list[int]] = []
    current: list[int] = []
    current_side = 0
    for side, position in zip(sides, positions, strict=True):
        if side == 0:
            continue
        if side != current_side:
            if len(current) >= SHIFT_LENGTH:
                found.append(current)
            current, current_side = [], side
        current.append(position)
    if len(current) >= SHIFT_LENGTH:
        found.append(current)
    return found


def trends(values: list[float], positions: list[int]) -> list[tuple[int, list[int]]]:
    """Runs of >= 5 points all rising or all falling, equal neighbours counted once.

    Returns ``(direction, positions)`` pairs; the positions include the repeated
    equal values inside the trend.
    """
    groups: list[tuple[float, list[int]]] = []  # consecutive equal values merged
    for value, position in zip(values, positions, strict=True):
        if groups and groups[-1][0] == value:
            groups[-1][1].append(position)
        else:
            groups.append((value, [position]))
    found: list[tuple[int, list[int]]] = []
    start = 0
    while start < len(groups) - 1:
        direction = 1 if groups[start + 1][0] > groups[start][0] else -1
        end = start + 1
        while end + 1 < len(groups) and (groups[end + 1][0] > groups[end][0]) == (direction > 0):
            end += 1
        if end - start + 1 >= TREND_LENGTH:
            found.append((direction, [p for g in groups[start : end + 1] for p in g[1]]))
        start = end  # the turning point may start the next trend
    return found


def ihi_extras(batch: BatchResult, row: int) -> dict[str, Any]:
    """Shifts, trends and the runs-table verdict of one series of a batch."""
    y = batch.y_raw[row]
    side = batch.side[row]
    result: dict[str, Any] = {"shifts": [], "trends": [], "parts": []}
    for part in batch.parts:
        cols = [c for c in range(part.start, part.stop) if batch.included[c] and not np.isnan(y[c])]
        positions = [c + 1 for c in cols]
        part_shifts = shifts([int(side[c]) for c in cols], positions)
        part_trends = trends([float(y[c]) for c in cols], positions)
        for points in part_shifts:
            above = side[points[0] - 1] > 0
            result["shifts"].append(
                {"part": part.number, "side": "above" if above else "below", "positions": points}
            )
        for direction, points in part_trends:
            result["trends"].append(
                {
                    "part": part.number,
                    "direction": "up" if direction > 0 else "down",
                    "positions": points,
                }
            )
        n_useful = int(part.runs.n_useful[row])
        n_runs = int(part.runs.n_crossings[row]) + 1 if n_useful else 0
        limits = RUNS_TABLE.get(n_useful)
        too_few = None if limits is None else n_runs < limits[0]
        too_many = None if limits is None else n_runs > limits[1]
        result["parts"].append(
            {
                "n_runs": n_runs,
                "runs_lower_limit": None if limits is None else limits[0],
                "runs_upper_limit": None if limits is None else limits[1],
                "too_few_runs": too_few,
                "too_many_runs": too_many,
                "runs_signal": bool(part_shifts or part_trends or too_few or too_many),
            }
        )
    return result
