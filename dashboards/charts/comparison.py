"""Charts that compare: small multiples and funnel plots of sites, and equity lines
by stratifier category.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from dashboards.charts.layout import PLACE_STYLE, place_point_labels, spread
from dashboards.charts.render import (
    FONT_SIZE,
    TEXT_COLOUR,
    base_spec,
    num,
    point_class_labels,
    shape_encoding,
    x_axis,
)

LIMIT_COLOUR = "#6e6e6e"

# ---------------------------------------------------------------- comparing sites


def small_multiples_spec(
    *,
    title: str,
    y_title: str,
    panels: list[tuple[str, list[dict[str, Any]]]],
    columns: int = 4,
) -> dict[str, Any]:
    """One small chart per site on a shared y scale, in the order given (neutral)."""
    labels = point_class_labels()
    values = []
    present: set[str] = set()
    order = []
    for site_label, rows in panels:
        order.append(site_label)
        for r in rows:
            cls = r.get("point_class") or "common"
            if r.get("y") is not None:
                present.add(cls)
            values.append(
                {
                    "site": site_label,
                    "period": r["period"],
                    "y": num(r.get("y")),
                    "cl": num(r.get("cl")),
                    "part": r.get("part", 1),
                    "point_label": labels[cls],
                }
            )
    periods = list(dict.fromkeys(v["period"] for v in values))
    shape, colour = shape_encoding(present)
    x = x_axis(periods) | {"axis": {"labels": False, "ticks": False, "title": None}}
    spec = base_spec(title, 150, 80)
    spec["data"] = {"values": values}
    # Long site names are shortened ("…") to their panel's width so that neighbouring
    # headers never run into each other; the data table gives them in full.
    spec["facet"] = {
        "field": "site",
        "type": "nominal",
        "sort": order,
        "title": None,
        "header": {"labelLimit": 165},
    }
    spec["columns"] = columns
    spec["resolve"] = {"scale": {"y": "shared", "x": "shared"}}
    del spec["width"], spec["height"]
    spec["spec"] = {
        "width": 150,
        "height": 80,
        "layer": [
            {
                "mark": {"type": "line", "color": "#2b2b2b", "strokeWidth": 1},
                "encoding": {
                    "x": x,
                    "y": {"field": "cl", "type": "quantitative"},
                    "detail": {"field": "part"},
                },
            },
            {
                "mark": {"type": "line", "color": "#5f6b7a", "strokeWidth": 1},
                "encoding": {"x": x, "y": {"field": "y", "type": "quantitative"}},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 25},
                "encoding": {
                    "x": x,
                    "y": {"field": "y", "type": "quantitative", "title": y_title},
                    "shape": shape,
                    "color": colour,
                },
            },
        ],
    }
    return spec


def funnel_limits(
    *, overall: float, denominators: Sequence[float], kind: str, multiply: float
) -> list[dict[str, Any]]:
    """Funnel limits around the overall rate as a function of the denominator.

    Proportions: p +/- z sqrt(p (1 - p) / n), clipped to [0, 1]; rates (Poisson):
    u +/- z sqrt(u / n), clipped at 0. z = 1.96 (95%) and 3.09 (99.8%). Values are
    in plotted units (times ``multiply``).
    """
    if not denominators:
        return []
    low, high = max(min(denominators) * 0.8, 1.0), max(denominators) * 1.1
    steps = 60
    ratio = (high / low) ** (1 / steps) if high > low else 1.0
    centre = overall / multiply
    rows = []
    for step in range(steps + 1):
        n = low * ratio**step
        if kind == "proportion":
            sd = math.sqrt(max(centre * (1 - centre), 0.0) / n)
        else:
            sd = math.sqrt(max(centre, 0.0) / n)
        for z, name in ((1.96, "95%"), (3.09, "99.8%")):
            lower, upper = centre - z * sd, centre + z * sd
            if kind == "proportion":
                upper = min(upper, 1.0)
            lower = max(lower, 0.0)
            rows.append(
                {
                    "n": round(n, 3),
                    "lower": num(lower * multiply),
                    "upper": num(upper * multiply),
                    "band": name,
                }
            )
    return rows


def funnel_spec(
    *,
    title: str,
    y_title: str,
    x_title: str,
    points: list[dict[str, Any]],
    overall: float,
    limits: list[dict[str, Any]],
    width: int = 760,
    height: int = 340,
) -> dict[str, Any]:
    """A funnel plot: one point per site (value against denominator), the overall rate
    and the 95% / 99.8% limits. Every point carries its site's label (``label``: a
    short code, or the anonymous label), placed on the side where it is clear of the
    other points and labels; sites outside the limits also get their own shape."""
    # xgettext:no-python-format
    inside, outside = _("Within limits"), _("Outside 99.8% limits")
    x_domain, y_domain = _funnel_domains(points, limits, overall)
    lines = [[(x_domain[0], overall), (x_domain[1], overall)]]
    for band in ("95%", "99.8%"):
        for side in ("lower", "upper"):
            lines.append(
                [(r["n"], r[side]) for r in limits if r["band"] == band and r[side] is not None]
            )
    places = place_point_labels(
        [{"x": p["n"], "y": p["y"], "text": p.get("label") or p["site"]} for p in points],
        x_domain=x_domain, y_domain=y_domain, width=width, height=height, font_size=FONT_SIZE,
        lines=lines,
    )  # fmt: skip
    values = [
        {
            "site": p["site"],
            "n": num(p["n"]),
            "y": num(p["y"]),
            "position": outside if p.get("outside") else inside,
            "label": p.get("label") or p["site"],
            "place": place,
        }
        for p, place in zip(points, places, strict=True)
    ]
    x_scale = {"domain": list(x_domain), "nice": False, "zero": False}
    y_scale = {"domain": list(y_domain), "nice": False, "zero": False}
    spec = base_spec(title, width, height)
    spec["layer"] = [
        {
            "data": {"values": limits},
            "mark": {"type": "line", "color": LIMIT_COLOUR, "strokeWidth": 1.2, "clip": True},
            "encoding": {
                "x": {"field": "n", "type": "quantitative", "title": x_title, "scale": x_scale},
                "y": {"field": field, "type": "quantitative", "scale": y_scale},
                "strokeDash": {
                    "field": "band",
                    "type": "nominal",
                    "scale": {"domain": ["95%", "99.8%"], "range": [[4, 3], [1, 0]]},
                    "legend": {"title": _("Limits")},
                },
                "detail": {"field": "band"},
            },
        }
        for field in ("lower", "upper")
    ] + [
        {
            "data": {"values": [{"y": num(overall), "label": _("Overall")}]},
            "mark": {"type": "rule", "color": "#2b2b2b"},
            "encoding": {"y": {"field": "y", "type": "quantitative", "scale": y_scale}},
        },
        {
            "data": {"values": values},
            "mark": {"type": "point", "filled": True, "size": 60},
            "encoding": {
                "x": {"field": "n", "type": "quantitative", "title": x_title, "scale": x_scale},
                "y": {"field": "y", "type": "quantitative", "title": y_title, "scale": y_scale},
                "shape": {
                    "field": "position",
                    "type": "nominal",
                    "scale": {"domain": [inside, outside], "range": ["circle", "diamond"]},
                    "legend": {"title": _("Sites")},
                },
                "color": {
                    "field": "position",
                    "type": "nominal",
                    "scale": {"domain": [inside, outside], "range": ["#5f6b7a", "#6a3d9a"]},
                    "legend": {"title": _("Sites")},
                },
                "tooltip": [{"field": "site"}, {"field": "n"}, {"field": "y"}],
            },
        },
    ]
    for place, (dx, dy, align, baseline) in PLACE_STYLE.items():
        if not any(v["place"] == place for v in values):
            continue
        spec["layer"].append(
            {
                "data": {"values": values},
                "transform": [{"filter": {"field": "place", "equal": place}}],
                "mark": {"type": "text", "dx": dx, "dy": dy, "align": align,
                         "baseline": baseline, "color": TEXT_COLOUR},
                "encoding": {
                    "x": {"field": "n", "type": "quantitative", "scale": x_scale},
                    "y": {"field": "y", "type": "quantitative", "scale": y_scale},
                    "text": {"field": "label"},
                },
            }
        )  # fmt: skip
    return spec


def _funnel_domains(
    points: Sequence[dict[str, Any]], limits: Sequence[dict[str, Any]], overall: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Explicit axis ranges (so labels can be placed where the renderer will draw the
    points): the denominators' range, and the values with the limits, with a margin."""
    xs = [float(r["n"]) for r in limits] + [float(p["n"]) for p in points]
    ys = [float(p["y"]) for p in points] + [overall]
    ys += [float(r[k]) for r in limits for k in ("lower", "upper") if r[k] is not None]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    pad = (y1 - y0) * 0.05 or 1.0
    return (x0, x1), (y0 - pad, y1 + pad)


# ---------------------------------------------------------------- equity


EQUITY_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
EQUITY_DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [1, 3], [4, 4]]
EQUITY_COLOURS = ["#1f5fa8", "#b35900", "#2e7d32", "#6a3d9a", "#8c564b", "#37474f"]


def equity_spec(
    *, title: str, y_title: str, series: list[tuple[str, list[dict[str, Any]]]]
) -> dict[str, Any]:
    """One line per category over time; each category has its own shape and dash as
    well as its own colour, and its name is written at the end of its line (names of
    lines that end close together are spread a line apart, never printed over each
    other)."""
    values = []
    names = [name for name, _rows in series]
    periods: list[str] = []
    for name, rows in series:
        for r in rows:
            periods.append(r["period"])
            values.append({"group": name, "period": r["period"], "y": num(r.get("y"))})
    order = list(dict.fromkeys(periods))
    k = max(len(names), 1)
    scale = {"domain": names}
    group_legend = {"title": _("Group")}
    x = x_axis(order)
    height = 300
    spec = base_spec(title, 820, height)
    spec["data"] = {"values": values}
    last_period = order[-1] if order else ""
    # An explicit y range (from zero, as before) so that the names at the ends of the
    # lines can be spread at least a line apart in the chart's own units.
    known = [v["y"] for v in values if v["y"] is not None]
    low = min([0.0, *known])
    high = max([*known, low + 1.0])
    high += (high - low) * 0.05
    y_scale = {"domain": [low, high], "nice": False, "zero": False}
    ends = [v for v in values if v["period"] == last_period and v["y"] is not None]
    gap = (FONT_SIZE + 2) * (high - low) / height
    end_labels = [
        {"period": v["period"], "group": v["group"], "label_y": round(at, 6)}
        for v, at in zip(ends, spread([v["y"] for v in ends], gap), strict=True)
    ]
    spec["layer"] = [
        {
            "mark": {"type": "line", "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative", "title": y_title, "scale": y_scale},
                "color": {
                    "field": "group",
                    "type": "nominal",
                    "scale": scale | {"range": (EQUITY_COLOURS * k)[:k]},
                    "legend": group_legend,
                },
                "strokeDash": {
                    "field": "group",
                    "type": "nominal",
                    "scale": scale | {"range": (EQUITY_DASHES * k)[:k]},
                    "legend": group_legend,
                },
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 45},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative"},
                "shape": {
                    "field": "group",
                    "type": "nominal",
                    "scale": scale | {"range": (EQUITY_SHAPES * k)[:k]},
                    "legend": group_legend,
                },
                "color": {"field": "group", "type": "nominal", "legend": group_legend},
                "tooltip": [{"field": "group"}, {"field": "period"}, {"field": "y"}],
            },
        },
        {
            "data": {"values": end_labels},
            "mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 8},
            "encoding": {
                "x": x,
                "y": {"field": "label_y", "type": "quantitative"},
                "text": {"field": "group"},
            },
        },
    ]
    spec["resolve"] = {"scale": {"color": "shared"}}
    return spec
