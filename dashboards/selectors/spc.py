"""Run and control chart analysis of a series (the SPC engine in ``measurement.spc``)
and the classification of its points for charts and tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from dashboards.selectors.figures import SeriesPoint
from dashboards.selectors.meta import MeasureInfo
from measurement.models import EVENT_CHARTS
from measurement.periods import align

# ---------------------------------------------------------------- SPC


def spc_arguments(
    info: MeasureInfo, points: Sequence[SeriesPoint], chart: str, method: str
) -> dict[str, Any] | None:
    """The SPC engine's arguments for a series (None when it has no value at all)."""
    if not any(p.y is not None for p in points):
        return None
    size = len(points)
    args: dict[str, Any] = {"chart": chart, "method": method}
    if info.uses_ratio:
        ok = [p.y is not None for p in points]
        args["y"] = [p.num.value if k else None for p, k in zip(points, ok, strict=True)]
        args["n"] = [
            p.den.value if k and p.den is not None else None
            for p, k in zip(points, ok, strict=True)
        ]
        args["multiply"] = info.multiply
    else:
        args["y"] = [p.y for p in points]
    if info.baseline_periods and 1 <= info.baseline_periods <= size:
        args["freeze"] = info.baseline_periods
    index = {p.period: i for i, p in enumerate(points)}
    parts = sorted(
        {
            index[align(info.frequency, d)]
            for d, _r in info.phases
            if align(info.frequency, d) in index
        }
    )
    parts = [i for i in parts if 1 <= i <= size - 1]
    if parts:
        args["part"] = parts
    if method == "mdc":
        if info.period_direction in ("up", "down"):
            args["direction"] = info.period_direction
        if info.plotted_goal is not None:
            args["target"] = info.plotted_goal
    return args


def period_chart(chart: str) -> str:
    """The chart of a series of periods. A rare-events measure's t or g chart plots its
    events (``selectors.rare_events``); its figures per period are counts of events, so
    summaries, site comparisons and RE-AIM chart them as counts (c chart)."""
    return "c" if chart in EVENT_CHARTS else chart


def analyse_series(
    info: MeasureInfo, points: Sequence[SeriesPoint], chart: str, method: str
) -> dict[str, Any] | None:
    """The SPC result of a series of periods, or None when it cannot be analysed."""
    from measurement.spc import SpcInputError, analyse

    args = spc_arguments(info, points, period_chart(chart), method)
    if args is None:
        return None
    try:
        return analyse(**args)
    except SpcInputError:
        return None


def _side_class(direction: str, high: bool) -> str:
    if direction == "up":
        return "improvement" if high else "concern"
    if direction == "down":
        return "concern" if high else "improvement"
    return "signal"


RULE_LABELS = {
    "outside_limits": "L",
    "trend": "T",
    "two_in_three": "2",
    "shift": "S",
}


def signal_legend() -> list[tuple[str, str]]:
    return [
        ("L", _("a point outside the control limits")),
        ("S", _("part of a shift (a long run on one side of the centre line)")),
        ("T", _("part of a trend (points rising or falling in a row)")),
        ("2", _("two of three points beyond two sigma on one side")),
    ]


def classify_points(
    result: dict[str, Any] | None, method: str, direction: str, size: int
) -> list[tuple[str, str]]:
    """(point class, short label) for each point: whether it is a special cause, which
    way it points (improvement or concern given the measure's direction) and which rule
    found it (L: limits, S: shift, T: trend, 2: two of three)."""
    out = [("common", "")] * size
    if result is None:
        return list(out)
    out = list(out)
    points = result["points"]
    if method == "mdc":
        for i, p in enumerate(points):
            if p.get("special_cause"):
                kind = p.get("special_cause_type")
                cls = kind if kind in ("improvement", "concern") else "signal"
                out[i] = (cls, RULE_LABELS.get(p.get("special_cause_rule") or "", ""))
        return out
    for i, p in enumerate(points):
        if p["sigma_signal"] and p["y"] is not None:
            high = p["ucl"] is not None and p["y"] > p["ucl"]
            out[i] = (_side_class(direction, high), "L")
    if method == "ihi":
        for shift in result.get("shifts", []):
            cls = _side_class(direction, shift["side"] == "above")
            for pos in shift["positions"]:
                if out[pos - 1][0] == "common":
                    out[pos - 1] = (cls, "S")
        for trend in result.get("trends", []):
            cls = _side_class(direction, trend["direction"] == "up")
            for pos in trend["positions"]:
                if out[pos - 1][0] == "common":
                    out[pos - 1] = (cls, "T")
    return out


def chart_rows(
    points: Sequence[SeriesPoint], result: dict[str, Any] | None, method: str, direction: str
) -> list[dict[str, Any]]:
    """Rows for the chart specification and the data table."""
    classes = classify_points(result, method, direction, len(points))
    # A baseline is shown only when the centre line comes from the first points.
    frozen = result is not None and any(not q["baseline"] for q in result["points"])
    rows = []
    for i, point in enumerate(points):
        spc = result["points"][i] if result else {}
        cls, label = classes[i]
        rows.append(
            {
                "period": point.label,
                "date": point.period,
                "y": point.y,
                "cl": spc.get("cl"),
                "lcl": spc.get("lcl"),
                "ucl": spc.get("ucl"),
                "part": spc.get("part", 1),
                "baseline": bool(spc.get("baseline")) and frozen,
                "point_class": cls if point.y is not None else "common",
                "signal_label": label if point.y is not None else "",
                "num": point.num.display,
                "den": point.den.display if point.den is not None else "",
                "suppressed": point.suppressed,
            }
        )
    return rows


def runs_signal_parts(result: dict[str, Any] | None) -> list[int]:
    if not result:
        return []
    return [p["part"] for p in result["parts"] if p.get("runs_signal")]
