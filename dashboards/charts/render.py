"""Charts as Vega-Lite specifications built in Python, rendered to SVG/PNG on the server.

The specification is the single source of a chart: pages inline its SVG, downloads
serve its SVG, PNG or CSV, and emails and printouts call :func:`render_chart_svg`.
Rendering (vl-convert) costs tens of milliseconds, so renders are cached by a hash of
the specification, which holds both the data and every setting.

This module holds the rendering and the pieces every specification shares; signals
are never shown by colour alone: each kind of point has its own shape, a text label
is drawn next to it, and a legend names both.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from copcore import l10n, spreadsheet, versioned_cache

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
RENDER_CACHE_SECONDS = 7 * 24 * 3600
FONT = "sans-serif"
# Chart text is drawn at 12 px or more in the chart's own units; pages show charts at
# least that wide (the content column at 1280 px is wider), so text reads at 12 px or
# more. Text colours pass 4.5:1 and line colours 3:1 against the white background
# (dashboards/tests/test_chart_quality.py computes the ratios from the SVG).
FONT_SIZE = 12
TITLE_FONT_SIZE = 15
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#595959"
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
    """A chart's data table as CSV text (numbers as shown on the page); site names and
    category labels are neutralised so a spreadsheet never runs them as formulas."""
    return spreadsheet.csv_text(columns, rows)


# ---------------------------------------------------------------- helpers


def num(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def base_spec(title: str, width: int, height: int) -> dict[str, Any]:
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": TITLE_FONT_SIZE},
        "width": width,
        "height": height,
        "background": "white",
        "config": {
            "font": FONT,
            "title": {"color": TEXT_COLOUR},
            "text": {"fontSize": FONT_SIZE, "color": TEXT_COLOUR},
            "axis": {
                "labelFontSize": FONT_SIZE,
                "titleFontSize": FONT_SIZE + 1,
                "grid": False,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "domainColor": AXIS_COLOUR,
                "tickColor": AXIS_COLOUR,
            },
            "legend": {
                "labelFontSize": FONT_SIZE,
                "titleFontSize": FONT_SIZE,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
                "orient": "bottom",
            },
            "header": {
                "labelFontSize": FONT_SIZE,
                "titleFontSize": FONT_SIZE,
                "labelColor": TEXT_COLOUR,
                "titleColor": TEXT_COLOUR,
            },
            "view": {"stroke": None},
        },
    }


def x_axis(order: list[str], title: str = "") -> dict[str, Any]:
    return {
        "field": "period",
        "type": "ordinal",
        "sort": order,
        "title": title or _("Period"),
        "axis": {"labelAngle": -45, "labelOverlap": "greedy", "labelExpr": MONTH_LABEL},
    }


def shape_encoding(present: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
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
