"""Charts as Vega-Lite specifications rendered to SVG/PNG on the server: rendering and
shared pieces (``render``), the SPC chart and sparklines (``control``), and the charts
that compare sites and categories (``comparison``). This package gathers their
public names (``charts.render_chart_svg(spec)``).
"""

from dashboards.charts.comparison import (
    EQUITY_COLOURS,
    EQUITY_DASHES,
    EQUITY_SHAPES,
    equity_spec,
    funnel_limits,
    funnel_spec,
    small_multiples_spec,
)
from dashboards.charts.control import (
    control_chart_spec,
    sparkline_spec,
)
from dashboards.charts.render import (
    FONT,
    POINT_STYLES,
    RENDER_CACHE_SECONDS,
    VEGA_LITE_SCHEMA,
    base_spec,
    num,
    point_class_labels,
    render_chart_png,
    render_chart_svg,
    shape_encoding,
    spec_hash,
    table_csv,
    x_axis,
)

__all__ = [
    "EQUITY_COLOURS",
    "EQUITY_DASHES",
    "EQUITY_SHAPES",
    "FONT",
    "POINT_STYLES",
    "RENDER_CACHE_SECONDS",
    "VEGA_LITE_SCHEMA",
    "base_spec",
    "control_chart_spec",
    "equity_spec",
    "funnel_limits",
    "funnel_spec",
    "num",
    "point_class_labels",
    "render_chart_png",
    "render_chart_svg",
    "shape_encoding",
    "small_multiples_spec",
    "sparkline_spec",
    "spec_hash",
    "table_csv",
    "x_axis",
]
