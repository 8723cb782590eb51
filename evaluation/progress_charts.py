"""Charts of the progress ratings as Vega-Lite specifications (rendered to SVG by
dashboards.charts, like every chart of the platform): a site's trend (its own and the
faculty's rating per month) and the distribution of scores across sites per month.
Each page that shows one also shows its data as a table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dashboards.charts import base_spec, x_axis
from evaluation.models import LEVELS, AssessmentLevel
from evaluation.selectors.progress import MonthDistribution, TrendRow

# Sequential blues from light (forming) to dark (outstanding): the order reads without
# colour too, because the legend and the stack follow the scale's order and the table
# gives every number.
LEVEL_COLOURS = [
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
]


def _period(month) -> str:
    return f"{month:%Y-%m}"


def trend_spec(*, site_name: str, rows: list[TrendRow]) -> dict[str, Any]:
    """Two lines over the months: the team's self-rating (circles, solid) and the
    faculty's rating (squares, dashed), on the scale's fixed 1-5 axis."""
    self_label, faculty_label = _("Self-rating"), _("Faculty rating")
    values = []
    for row in rows:
        for label, rating in (
            (self_label, row.cell.self_rating),
            (faculty_label, row.cell.faculty),
        ):
            if rating is not None:
                values.append(
                    {"period": _period(row.month), "who": label, "score": float(rating.score)}
                )
    order = [_period(r.month) for r in rows]
    spec = base_spec(
        _("Progress of %(site)s (IHI Assessment Scale)") % {"site": site_name}, 560, 260
    )
    spec["data"] = {"values": values}
    legend = {"title": None}
    spec["mark"] = {"type": "line", "point": {"filled": True, "size": 70}, "strokeWidth": 2}
    spec["encoding"] = {
        "x": x_axis(order, _("Month")),
        "y": {
            "field": "score",
            "type": "quantitative",
            "title": _("Score"),
            "scale": {"domain": [1, 5]},
            "axis": {"values": [float(v) for v in LEVELS], "format": ".1f"},
        },
        "color": {
            "field": "who",
            "type": "nominal",
            "scale": {"domain": [self_label, faculty_label], "range": ["#1f5fa8", "#b35900"]},
            "legend": legend,
        },
        "shape": {
            "field": "who",
            "type": "nominal",
            "scale": {"domain": [self_label, faculty_label], "range": ["circle", "square"]},
            "legend": legend,
        },
        "strokeDash": {
            "field": "who",
            "type": "nominal",
            "scale": {"domain": [self_label, faculty_label], "range": [[1, 0], [6, 3]]},
            "legend": legend,
        },
    }
    return spec


def distribution_spec(*, title: str, months: list[MonthDistribution]) -> dict[str, Any]:
    """A stacked bar per month: how many site teams stand at each level."""
    labels = [str(label) for label in AssessmentLevel.labels]
    values = []
    for dist in months:
        for value, label, count in dist.levels:
            if count:
                values.append(
                    {
                        "period": _period(dist.month),
                        "level": str(label),
                        "order": float(value),
                        "sites": count,
                    }
                )
    spec = base_spec(title, 560, 260)
    spec["data"] = {"values": values}
    spec["mark"] = {"type": "bar", "stroke": "#595959", "strokeWidth": 0.5}
    spec["encoding"] = {
        "x": x_axis([_period(d.month) for d in months], _("Month")),
        "y": {
            "field": "sites",
            "type": "quantitative",
            "stack": "zero",
            "title": _("Site teams"),
            "axis": {"tickMinStep": 1, "format": "d"},
        },
        "color": {
            "field": "level",
            "type": "ordinal",
            "scale": {"domain": labels, "range": LEVEL_COLOURS},
            "legend": {"title": _("Level"), "columns": 2, "labelLimit": 0},
        },
        "order": {"field": "order", "type": "quantitative"},
        "tooltip": [
            {"field": "period", "title": _("Month")},
            {"field": "level", "title": _("Level")},
            {"field": "sites", "title": _("Site teams")},
        ],
    }
    return spec
