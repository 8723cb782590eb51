"""The run or control chart of one series and the dashboard's sparklines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from dashboards.charts.render import (
    POINT_STYLES,
    VEGA_LITE_SCHEMA,
    base_spec,
    num,
    point_class_labels,
    shape_encoding,
    x_axis,
)

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
                "y": num(r.get("y")),
                "cl": num(r.get("cl")),
                "lcl": num(r.get("lcl")) if show_limits else None,
                "ucl": num(r.get("ucl")) if show_limits else None,
                "part": r.get("part", 1),
                "baseline": bool(r.get("baseline")),
                "point_label": labels[r.get("point_class") or "common"],
                "signal_label": r.get("signal_label") or "",
                "cl_style": runs_yes if r.get("part", 1) in runs_signal_parts else runs_no,
            }
        )
    present = {r.get("point_class") or "common" for r in rows if r.get("y") is not None}
    shape, colour = shape_encoding(present)
    x = x_axis(order)
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
                "data": {"values": [{"goal": num(goal), "label": _("Goal")}]},
                "mark": {"type": "rule", "color": "#2e7d32", "strokeDash": [2, 2]},
                "encoding": {"y": {"field": "goal", "type": "quantitative"}},
            }
        )
        layers.append(
            {
                "data": {"values": [{"goal": num(goal), "label": _("Goal")}]},
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
    spec = base_spec(title, width, height)
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
            "y": num(r.get("y"), 3),
            "cl": num(r.get("cl"), 3),
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
