"""The run or control chart of one series and the dashboard's sparklines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from dashboards.charts.layout import BandLabel, ordinal_x, row_height, stack_rows, truncate
from dashboards.charts.render import (
    FONT_SIZE,
    POINT_STYLES,
    TEXT_COLOUR,
    VEGA_LITE_SCHEMA,
    base_spec,
    num,
    point_class_labels,
    shape_encoding,
    x_axis,
)

# Line colours with at least 3:1 contrast on white (limits, annotation lines, goal).
LIMIT_COLOUR = "#6e6e6e"
NOTE_LINE_COLOUR = "#6e6e6e"
PHASE_COLOUR = "#404040"
GOAL_COLOUR = "#2e7d32"
RIGHT_MARGIN = 60  # pixels right of the plot a band label may use

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
    goal_label: str = "",
    x_title: str = "",
    width: int = 820,
    height: int = 320,
) -> dict[str, Any]:
    """A run or control chart from SPC rows.

    ``rows``: one per period with ``period`` (label), ``y``, ``cl``, ``lcl``, ``ucl``,
    ``part``, ``baseline`` (bool), ``point_class`` (a key of POINT_STYLES) and
    ``signal_label`` (short text drawn beside special-cause points, or "").
    ``phases``: ``{"period", "reason"}`` where a new phase starts; ``annotations``:
    ``{"period", "number", "title", "kind"}`` drawn as numbered markers above the plot,
    stacked where they would overlap; they are not links (the numbered list under the
    chart carries the links, see docs/dashboards.md). ``goal_label``: the goal in the
    chart's unit ("Goal: 80%"), written in the right margin.
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
    x = x_axis(order, x_title)
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
                        "color": LIMIT_COLOUR,
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
                    {"field": "period", "title": x_title or _("Period")},
                    {"field": "y", "title": y_title},
                    {"field": "point_label", "title": _("Point")},
                ],
            },
        }
    )
    layers.append(
        {
            "transform": [{"filter": "datum.signal_label != ''"}],
            "mark": {"type": "text", "dy": -12, "fontWeight": "bold"},
            "encoding": {
                "x": x,
                "y": {"field": "y", "type": "quantitative"},
                "text": {"field": "signal_label"},
                "color": {"value": TEXT_COLOUR},
            },
        }
    )
    if goal is not None:
        # The goal's label sits in the right margin, level with its line: no line of
        # the plot runs there.
        goal_data = {"values": [{"goal": num(goal), "label": goal_label or _("Goal")}]}
        layers.append(
            {
                "data": goal_data,
                "mark": {"type": "rule", "color": GOAL_COLOUR, "strokeDash": [6, 3],
                         "strokeWidth": 1.5},
                "encoding": {"y": {"field": "goal", "type": "quantitative"}},
            }
        )  # fmt: skip
        layers.append(
            {
                "data": goal_data,
                "mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 6,
                         "x": width, "color": GOAL_COLOUR, "fontWeight": "bold"},
                "encoding": {
                    "y": {"field": "goal", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            }
        )  # fmt: skip
    if phases or annotations:
        band = _band_labels(order, width, phases, annotations)
        layers += _band_layers(x, band, phases, annotations)
    spec = base_spec(title, width, height)
    # The title keeps clear of the band of markers and phase reasons (the renderer
    # counts the band in the chart's bounds).
    spec["title"]["offset"] = 8
    spec["data"] = {"values": values}
    spec["layer"] = layers
    spec["resolve"] = {"scale": {"shape": "shared", "color": "shared"}}
    return spec


def _band_labels(
    order: list[str],
    width: int,
    phases: Sequence[dict[str, Any]],
    annotations: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The labels of the band above the plot (phase reasons from their phase line,
    annotation numbers centred on their period), each with the row that keeps it
    clear of the others. A phase reason may run into the right margin a little."""
    index = {period: k for k, period in enumerate(order)}
    items: list[dict[str, Any]] = []
    for p in phases:
        if p["period"] not in index:
            continue
        x = ordinal_x(index[p["period"]], len(order), width)
        text = truncate(str(p["reason"]), width - x + RIGHT_MARGIN, FONT_SIZE)
        items.append({"kind": "phase", "period": p["period"], "text": text, "x": x})
    for a in annotations:
        if a["period"] not in index:
            continue
        x = ordinal_x(index[a["period"]], len(order), width)
        items.append({"kind": "note", "period": a["period"], "text": str(a["number"]), "x": x})
    rows = stack_rows(
        [BandLabel(i["x"], i["text"], centred=i["kind"] == "note") for i in items], FONT_SIZE
    )
    for item, row in zip(items, rows, strict=True):
        item["row"] = row
    return items


def _band_layers(
    x: dict[str, Any],
    band: list[dict[str, Any]],
    phases: Sequence[dict[str, Any]],
    annotations: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Phase lines, dotted annotation lines, and the band's labels row by row (a text
    mark's pixel position is a constant, so each row is its own layer)."""
    layers: list[dict[str, Any]] = []
    if phases:
        layers.append(
            {
                "data": {
                    "values": [{"period": p["period"], "reason": p["reason"]} for p in phases]
                },
                "mark": {"type": "rule", "color": PHASE_COLOUR, "strokeWidth": 1.5},
                "encoding": {"x": x, "tooltip": {"field": "reason"}},
            }
        )
    if annotations:
        layers.append(
            {
                "data": {
                    "values": [
                        {"period": a["period"], "number": str(a["number"]), "title": a["title"]}
                        for a in annotations
                    ]
                },
                "mark": {"type": "rule", "color": NOTE_LINE_COLOUR, "strokeDash": [3, 3],
                         "strokeWidth": 1.2},
                "encoding": {"x": x, "tooltip": [{"field": "number"}, {"field": "title"}]},
            }
        )  # fmt: skip
    step = row_height(FONT_SIZE)
    for row in sorted({item["row"] for item in band}):
        for kind in ("phase", "note"):
            values = [
                {"period": i["period"], "text": i["text"]}
                for i in band
                if i["row"] == row and i["kind"] == kind
            ]
            if not values:
                continue
            layers.append(
                {
                    "data": {"values": values},
                    "mark": {
                        "type": "text",
                        "y": -6 - row * step,
                        "baseline": "bottom",
                        "align": "center" if kind == "note" else "left",
                        "dx": 0 if kind == "note" else 3,
                        "fontWeight": "bold" if kind == "note" else "normal",
                        "color": TEXT_COLOUR,
                    },
                    "encoding": {"x": x, "text": {"field": "text"}},
                }
            )
    return layers


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
