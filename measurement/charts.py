"""Charts as Vega-Lite specifications built in Python, rendered to SVG/PNG on the server.

The specification is the single source of a chart: pages inline its SVG, downloads
serve its SVG, PNG or CSV, and emails and printouts call :func:`render_chart_svg`.
Rendering (vl-convert) costs tens of milliseconds, so renders are cached by a hash of
the specification, which holds both the data and every setting.

Signals are never shown by colour alone: each kind of point has its own shape, a
text label is drawn next to it, and a legend names both.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from copcore import l10n, versioned_cache

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
RENDER_CACHE_SECONDS = 7 * 24 * 3600
FONT = "sans-serif"
# Monthly period labels (2024-03) drawn as the reader's language abbreviates the month
# (Mar 2024, mar 2024, mars 2024): the renderer is given the language's d3 time locale.
MONTH_LABEL = (
    "test(/^[0-9]{4}-[0-9]{2}$/, datum.value) "
    "? utcFormat(toDate(datum.value + '-01'), '%b %Y') : datum.value"
)

# Point classes: (shape, colour). Colour-blind-safe pairs (blue/orange), and shapes
# that differ on their own.
POINT_STYLES = {
    "common": ("circle", "#5f6b7a"),
    "improvement": ("triangle-up", "#1f5fa8"),
    "concern": ("triangle-down", "#b35900"),
    "signal": ("diamond", "#6a3d9a"),
}


def point_class_labels() -> dict[str, str]:
    return {
        "common": _("Common cause"),
        "improvement": _("Special cause: improvement"),
        "concern": _("Special cause: concern"),
        "signal": _("Special cause"),
    }


# ---------------------------------------------------------------- rendering


def spec_hash(spec: dict[str, Any]) -> str:
    """A stable hash of a specification (its data and settings)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def render_chart_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG document (cached by the specification's hash)."""
    locale = l10n.d3_locale()
    key = f"chart:svg:{locale}:{spec_hash(spec)}"
    svg = versioned_cache.get(key)  # keyed by content and language: never stale
    if svg is None:
        import vl_convert

        svg = vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale)
        versioned_cache.set(key, svg, RENDER_CACHE_SECONDS)
    return svg


def render_chart_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """The chart as a PNG image (cached by the specification's hash and scale)."""
    key = f"chart:png:{scale}:{l10n.d3_locale()}:{spec_hash(spec)}"
    png = cache.get(key)
    if png is None:
        import vl_convert

        png = vl_convert.svg_to_png(render_chart_svg(spec), scale=scale)
        cache.set(key, png, RENDER_CACHE_SECONDS)
    return png


def table_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A chart's data table as CSV text (numbers as shown on the page)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


# ---------------------------------------------------------------- helpers


def _num(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def _base(title: str, width: int, height: int) -> dict[str, Any]:
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": width,
        "height": height,
        "background": "white",
        "config": {
            "font": FONT,
            "axis": {"labelFontSize": 10, "titleFontSize": 11, "grid": False},
            "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
            "view": {"stroke": None},
        },
    }


def _x(order: list[str], title: str = "") -> dict[str, Any]:
    return {
        "field": "period",
        "type": "ordinal",
        "sort": order,
        "title": title or _("Period"),
        "axis": {"labelAngle": -45, "labelOverlap": "greedy", "labelExpr": MONTH_LABEL},
    }


def _shape_encoding(present: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Shape and colour encodings over the point classes, with one shared legend."""
    labels = point_class_labels()
    domain = [labels[k] for k in POINT_STYLES if k in present or k == "common"]
    shapes = [POINT_STYLES[k][0] for k in POINT_STYLES if k in present or k == "common"]
    colours = [POINT_STYLES[k][1] for k in POINT_STYLES if k in present or k == "common"]
    legend = {"title": _("Points")}
    shape = {
        "field": "point_label",
        "type": "nominal",
        "scale": {"domain": domain, "range": shapes},
        "legend": legend,
    }
    colour = {
        "field": "point_label",
        "type": "nominal",
        "scale": {"domain": domain, "range": colours},
        "legend": legend,
    }
    return shape, colour


# ---------------------------------------------------------------- the SPC chart


def control_chart_spec(
    *,
    title: str,
    y_title: str,
    rows: list[dict[str, Any]],
    goal: float | None = None,
    phases: Sequence[dict[str, Any]] = (),
    annotations: Sequence[dict[str, Any]] = (),
    runs_signal_parts: Sequence[int] = (),
    show_limits: bool = True,
    width: int = 640,
    height: int = 260,
) -> dict[str, Any]:
    """A run or control chart from SPC rows.

    ``rows``: one per period with ``period`` (label), ``y``, ``cl``, ``lcl``, ``ucl``,
    ``part``, ``baseline`` (bool), ``point_class`` (a key of POINT_STYLES) and
    ``signal_label`` (short text drawn beside special-cause points, or "").
    ``phases``: ``{"period", "reason"}`` where a new phase starts; ``annotations``:
    ``{"period", "number", "title", "url", "kind"}`` drawn as numbered markers at the top.
    ``runs_signal_parts``: parts whose runs rules fire (their centre line is dashed
    and labelled).
    """
    labels = point_class_labels()
    runs_yes, runs_no = _("Runs signal"), _("No runs signal")
    order = [r["period"] for r in rows]
    values = []
    for r in rows:
        values.append(
            {
                "period": r["period"],
                "y": _num(r.get("y")),
                "cl": _num(r.get("cl")),
                "lcl": _num(r.get("lcl")) if show_limits else None,
                "ucl": _num(r.get("ucl")) if show_limits else None,
                "part": r.get("part", 1),
                "baseline": bool(r.get("baseline")),
                "point_label": labels[r.get("point_class") or "common"],
                "signal_label": r.get("signal_label") or "",
                "cl_style": runs_yes if r.get("part", 1) in runs_signal_parts else runs_no,
            }
        )
    present = {r.get("point_class") or "common" for r in rows if r.get("y") is not None}
    shape, colour = _shape_encoding(present)
    x = _x(order)
    y_scale: dict[str, Any] = {"zero": False}
    layers: list[dict[str, Any]] = []

    baseline_periods = [v["period"] for v in values if v["baseline"]]
    if baseline_periods and len(baseline_periods) < len(values):
        layers.append(
            {
                "data": {
                    "values": [
                        {
                            "start": baseline_periods[0],
                            "end": baseline_periods[-1],
                            "label": _("Baseline"),
                        }
                    ]
                },
                "mark": {"type": "rect", "opacity": 0.08, "color": "#000000"},
                "encoding": {
                    "x": {**x, "field": "start"},
                    "x2": {"field": "end"},
                    "tooltip": {"field": "label"},
                },
            }
        )
    # Centre line (per part), dashed where the part's runs rules fire.
    layers.append(
        {
            "mark": {"type": "line", "color": "#2b2b2b", "strokeWidth": 1.2, "interpolate": "step"},
            "encoding": {
                "x": x,
                "y": {"field": "cl", "type": "quantitative", "scale": y_scale},
                "detail": {"field": "part"},
                "strokeDash": {
                    "field": "cl_style",
                    "type": "nominal",
                    "scale": {"domain": [runs_no, runs_yes], "range": [[1, 0], [6, 3]]},
                    "legend": {"title": _("Centre line")} if runs_signal_parts else None,
                },
            },
        }
    )
    if show_limits and any(v["ucl"] is not None for v in values):
        for field in ("lcl", "ucl"):
            layers.append(
                {
                    "mark": {
                        "type": "line",
                        "color": "#7a7a7a",
                        "strokeDash": [4, 3],
                        "strokeWidth": 1,
                        "interpolate": "step",
                    },
                    "encoding": {
                        "x": x,
                        "y": {"field": field, "type": "quantitative"},
                        "detail": {"field": "part"},
                    },
                }
            )
    layers.append(
        {
            "mark": {"type": "line", "color": "#5f6b7a", "strokeWidth": 1},
            "encoding": {"x": x, "y": {"field": "y", "type": "quantitative"}},
        }
    )
    layers.append(
        {
            "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative", "title": y_title},
                "shape": shape,
                "color": colour,
                "tooltip": [
                    {"field": "period", "title": _("Period")},
                    {"field": "y", "title": y_title},
                    {"field": "point_label", "title": _("Point")},
                ],
            },
        }
    )
    layers.append(
        {
            "transform": [{"filter": "datum.signal_label != ''"}],
            "mark": {"type": "text", "dy": -11, "fontSize": 9, "fontWeight": "bold"},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative"},
                "text": {"field": "signal_label"},
                "color": {"value": "#000000"},
            },
        }
    )
    if goal is not None:
        layers.append(
            {
                "data": {"values": [{"goal": _num(goal), "label": _("Goal")}]},
                "mark": {"type": "rule", "color": "#2e7d32", "strokeDash": [2, 2]},
                "encoding": {"y": {"field": "goal", "type": "quantitative"}},
            }
        )
        layers.append(
            {
                "data": {"values": [{"goal": _num(goal), "label": _("Goal")}]},
                "mark": {"type": "text", "align": "left", "dx": 3, "dy": -6, "fontSize": 9},
                "encoding": {
                    "y": {"field": "goal", "type": "quantitative"},
                    "x": {"value": 0},
                    "text": {"field": "label"},
                },
            }
        )
    if phases:
        phase_values = [{"period": p["period"], "reason": p["reason"]} for p in phases]
        layers.append(
            {
                "data": {"values": phase_values},
                "mark": {"type": "rule", "color": "#444444", "strokeWidth": 1.5},
                "encoding": {"x": x, "tooltip": {"field": "reason"}},
            }
        )
        layers.append(
            {
                "data": {"values": phase_values},
                "mark": {"type": "text", "align": "left", "dx": 3, "y": 8, "fontSize": 9},
                "encoding": {"x": x, "text": {"field": "reason"}},
            }
        )
    if annotations:
        note_values = [
            {
                "period": a["period"],
                "number": str(a["number"]),
                "title": a["title"],
                "url": a.get("url", ""),
                "kind": a["kind"],
            }
            for a in annotations
        ]
        layers.append(
            {
                "data": {"values": note_values},
                "mark": {"type": "rule", "color": "#9e9e9e", "strokeDash": [1, 2]},
                "encoding": {"x": x, "tooltip": {"field": "title"}, "href": {"field": "url"}},
            }
        )
        layers.append(
            {
                "data": {"values": note_values},
                "mark": {
                    "type": "text",
                    "y": -4,
                    "fontSize": 10,
                    "fontWeight": "bold",
                    "baseline": "bottom",
                },
                "encoding": {
                    "x": x,
                    "text": {"field": "number"},
                    "href": {"field": "url"},
                    "tooltip": [{"field": "kind"}, {"field": "title"}],
                },
            }
        )
    spec = _base(title, width, height)
    spec["data"] = {"values": values}
    spec["layer"] = layers
    spec["resolve"] = {"scale": {"shape": "shared", "color": "shared"}}
    return spec


def sparkline_spec(*, title: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A small line for tables: the values, the centre line, and special-cause points
    with their shapes (decorative: the table beside it says the same in words)."""
    labels = point_class_labels()
    values = [
        {
            "i": k,
            "y": _num(r.get("y"), 3),
            "cl": _num(r.get("cl"), 3),
            "s": r.get("point_class") or "common",
        }
        for k, r in enumerate(rows)
    ]
    present = {v["s"] for v in values if v["y"] is not None} | {"common"}
    shapes = {k: POINT_STYLES[k] for k in POINT_STYLES if k in present}
    x = {"field": "i", "type": "quantitative", "axis": None}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"zero": False}}
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": 200,
        "height": 40,
        "background": "white",
        "padding": 2,
        "config": {"view": {"stroke": None}},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "line", "color": "#2b2b2b", "strokeWidth": 1,
                         "interpolate": "step"},
                "encoding": {"x": x, "y": {**y, "field": "cl"}},
            },
            {
                "mark": {"type": "line", "color": "#5f6b7a", "strokeWidth": 1},
                "encoding": {"x": x, "y": y},
            },
            {
                "transform": [{"filter": "datum.s != 'common'"}],
                "mark": {"type": "point", "filled": True, "size": 30},
                "encoding": {
                    "x": x,
                    "y": y,
                    "shape": {"field": "s", "type": "nominal", "legend": None,
                              "scale": {"domain": list(shapes),
                                        "range": [v[0] for v in shapes.values()]}},
                    "color": {"field": "s", "type": "nominal", "legend": None,
                              "scale": {"domain": list(shapes),
                                        "range": [v[1] for v in shapes.values()]}},
                },
            },
        ],
        "description": title or ", ".join(labels[k] for k in shapes),
    }  # fmt: skip


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
                    "y": _num(r.get("y")),
                    "cl": _num(r.get("cl")),
                    "part": r.get("part", 1),
                    "point_label": labels[cls],
                }
            )
    periods = list(dict.fromkeys(v["period"] for v in values))
    shape, colour = _shape_encoding(present)
    x = _x(periods) | {"axis": {"labels": False, "ticks": False, "title": None}}
    spec = _base(title, 150, 80)
    spec["data"] = {"values": values}
    spec["facet"] = {"field": "site", "type": "nominal", "sort": order, "title": None}
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
                    "lower": _num(lower * multiply),
                    "upper": _num(upper * multiply),
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
) -> dict[str, Any]:
    """A funnel plot: one point per site (value against denominator), the overall rate
    and the 95% / 99.8% limits. Sites outside the limits get their own shape and label."""
    # xgettext:no-python-format
    inside, outside = _("Within limits"), _("Outside 99.8% limits")
    values = [
        {
            "site": p["site"],
            "n": _num(p["n"]),
            "y": _num(p["y"]),
            "position": outside if p.get("outside") else inside,
            "label": p["site"] if p.get("outside") else "",
        }
        for p in points
    ]
    spec = _base(title, 560, 300)
    spec["layer"] = [
        {
            "data": {"values": limits},
            "mark": {"type": "line", "color": "#7a7a7a", "strokeWidth": 1},
            "encoding": {
                "x": {"field": "n", "type": "quantitative", "title": x_title},
                "y": {"field": field, "type": "quantitative"},
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
            "data": {"values": [{"y": _num(overall), "label": _("Overall")}]},
            "mark": {"type": "rule", "color": "#2b2b2b"},
            "encoding": {"y": {"field": "y", "type": "quantitative"}},
        },
        {
            "data": {"values": values},
            "mark": {"type": "point", "filled": True, "size": 60},
            "encoding": {
                "x": {"field": "n", "type": "quantitative", "title": x_title},
                "y": {
                    "field": "y",
                    "type": "quantitative",
                    "title": y_title,
                    "scale": {"zero": False},
                },  # fmt: skip
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
        {
            "data": {"values": values},
            "transform": [{"filter": "datum.label != ''"}],
            "mark": {"type": "text", "dx": 6, "align": "left", "fontSize": 9},
            "encoding": {
                "x": {"field": "n", "type": "quantitative"},
                "y": {"field": "y", "type": "quantitative"},
                "text": {"field": "label"},
            },
        },
    ]
    return spec


# ---------------------------------------------------------------- equity


EQUITY_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
EQUITY_DASHES = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [1, 3], [4, 4]]
EQUITY_COLOURS = ["#1f5fa8", "#b35900", "#2e7d32", "#6a3d9a", "#8c564b", "#37474f"]


def equity_spec(
    *, title: str, y_title: str, series: list[tuple[str, list[dict[str, Any]]]]
) -> dict[str, Any]:
    """One line per category over time; each category has its own shape and dash as
    well as its own colour, and its name is written at the end of its line."""
    values = []
    names = [name for name, _rows in series]
    periods: list[str] = []
    for name, rows in series:
        for r in rows:
            periods.append(r["period"])
            values.append({"group": name, "period": r["period"], "y": _num(r.get("y"))})
    order = list(dict.fromkeys(periods))
    k = max(len(names), 1)
    scale = {"domain": names}
    group_legend = {"title": _("Group")}
    x = _x(order)
    spec = _base(title, 640, 260)
    spec["data"] = {"values": values}
    last_period = order[-1] if order else ""
    spec["layer"] = [
        {
            "mark": {"type": "line", "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative", "title": y_title},
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
            "transform": [{"filter": {"field": "period", "equal": last_period}}],
            "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 9},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative"},
                "text": {"field": "group"},
            },
        },
    ]
    spec["resolve"] = {"scale": {"color": "shared"}}
    return spec
