"""Every read of the dashboards, by subject (who sees what, stored records, measure
metadata, disclosed figures and series, SPC, summaries, comparisons, a measure's chart).
This package gathers their public names, so callers write
``selectors.overview(...)``; the modules themselves import each other, never this
package. RE-AIM (``selectors.reaim``), vitality (``selectors.vitality``) and the
per-observation disclosure (``selectors.observations``) are imported by name.
"""

from dashboards.selectors.audience import (
    ALL_STATUSES,
    CACHE_SECONDS,
    CHARTS_FOR_VALUE_TYPE,
    METHODS,
    WINDOW,
    Audience,
    audience_for,
    community_with_access,
    data_token,
    organization_rule,
    require_view,
    viewable_communities,
)
from dashboards.selectors.comparison import (
    EquityBreakdown,
    FunnelPoint,
    anonymous_labels,
    equity_breakdowns,
    funnel_points,
)
from dashboards.selectors.figures import (
    MeasureArrays,
    SeriesPoint,
    category_series,
    figure_at,
    measure_arrays,
    site_series,
    total_series,
)
from dashboards.selectors.measure_chart import (
    MeasureChart,
    annotations_for,
    chart_choice,
    chart_for_recipient,
    goal_display,
    measure_chart,
)
from dashboards.selectors.meta import (
    CommunityMeta,
    MeasureInfo,
    SiteInfo,
    StratifierInfo,
    community_meta,
)
from dashboards.selectors.records import (
    chart_preference,
    disclosure_rule_get,
    enrolled_site,
    enrolled_sites,
    expected_results_reviewed,
)
from dashboards.selectors.spc import (
    RULE_LABELS,
    analyse_series,
    chart_rows,
    classify_points,
    runs_signal_parts,
    signal_legend,
    spc_arguments,
)
from dashboards.selectors.summaries import (
    STATE_TEXT,
    MeasureSummary,
    format_value,
    mdc_icons,
    overview,
    summarise,
)

__all__ = [
    "ALL_STATUSES",
    "Audience",
    "CACHE_SECONDS",
    "CHARTS_FOR_VALUE_TYPE",
    "CommunityMeta",
    "EquityBreakdown",
    "FunnelPoint",
    "METHODS",
    "MeasureArrays",
    "MeasureChart",
    "MeasureInfo",
    "MeasureSummary",
    "RULE_LABELS",
    "STATE_TEXT",
    "SeriesPoint",
    "SiteInfo",
    "StratifierInfo",
    "WINDOW",
    "analyse_series",
    "annotations_for",
    "anonymous_labels",
    "audience_for",
    "category_series",
    "chart_choice",
    "chart_for_recipient",
    "goal_display",
    "chart_preference",
    "chart_rows",
    "classify_points",
    "community_meta",
    "community_with_access",
    "data_token",
    "disclosure_rule_get",
    "enrolled_site",
    "enrolled_sites",
    "equity_breakdowns",
    "expected_results_reviewed",
    "figure_at",
    "format_value",
    "funnel_points",
    "mdc_icons",
    "measure_arrays",
    "measure_chart",
    "organization_rule",
    "overview",
    "require_view",
    "runs_signal_parts",
    "signal_legend",
    "site_series",
    "spc_arguments",
    "summarise",
    "total_series",
    "viewable_communities",
]
