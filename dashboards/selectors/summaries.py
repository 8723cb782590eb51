"""One line per measure for the CoP dashboard: latest value, state, MDC icons and a
sparkline (the whole overview cached per audience and data version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from communities.models import Community
from copcore import l10n
from copcore import versioned_cache as cache
from dashboards import charts
from dashboards.selectors.audience import CACHE_SECONDS, Audience, data_token
from dashboards.selectors.figures import SeriesPoint, measure_arrays, total_series
from dashboards.selectors.meta import CommunityMeta, MeasureInfo, community_meta
from dashboards.selectors.spc import chart_rows, classify_points
from measurement.models import (
    Measure,
)

# ---------------------------------------------------------------- summaries


@dataclass
class MeasureSummary:
    info: MeasureInfo
    latest_label: str
    latest_value: float | None
    latest_display: str
    state: str  # improvement / concern / signal / common / no_data
    state_text: str
    variation_icon: str | None
    assurance_icon: str | None
    n_points: int
    spark_rows: list[dict[str, Any]]
    spark_svg: str = ""


STATE_TEXT = {
    "improvement": lambda: _("Special cause: improvement"),
    "concern": lambda: _("Special cause: concern"),
    "signal": lambda: _("Special cause"),
    "common": lambda: _("Common cause variation"),
    "no_data": lambda: _("Not enough data"),
}


def format_value(value: float | None, info: MeasureInfo) -> str:
    if value is None:
        return ""
    digits = 1 if info.uses_ratio or info.value_type == Measure.ValueType.CONTINUOUS else 0
    if info.value_type == Measure.ValueType.PROPORTION:
        return l10n.percent(value, digits)
    return l10n.number(value, digits)


def mdc_icons(info: MeasureInfo, points: Sequence[SeriesPoint]) -> dict[str, Any] | None:
    """Making Data Count on the plotted values (an XmR chart, as NHS practice)."""
    from measurement.spc import SpcInputError, analyse

    values = [p.y for p in points]
    if sum(v is not None for v in values) < 3:
        return None
    args: dict[str, Any] = {"chart": "i", "y": values, "method": "mdc"}
    if info.period_direction in ("up", "down"):
        args["direction"] = info.period_direction
        if info.plotted_goal is not None:
            args["target"] = info.plotted_goal
    if info.baseline_periods and 1 <= info.baseline_periods <= len(values):
        args["freeze"] = info.baseline_periods
    try:
        return analyse(**args)
    except SpcInputError:
        return None


def summarise(info: MeasureInfo, points: Sequence[SeriesPoint]) -> MeasureSummary:
    """The current state of a measure: last value, signal state (Making Data Count
    rules on an XmR chart of the plotted values), variation and assurance icons."""
    mdc = mdc_icons(info, points)
    last = next((p for p in reversed(points) if p.y is not None), None)
    if mdc is None or last is None:
        state = "no_data"
    else:
        last_point = mdc["points"][points.index(last)]
        if last_point.get("special_cause"):
            kind = last_point.get("special_cause_type")
            state = kind if kind in ("improvement", "concern") else "signal"
        else:
            state = "common"
    rows = chart_rows(points[-24:], None, "anhoej", info.period_direction)
    if mdc is not None:
        classes = classify_points(mdc, "mdc", info.period_direction, len(points))[-24:]
        for row, (cls, label), spc in zip(rows, classes, mdc["points"][-24:], strict=True):
            row.update(cl=spc["cl"], lcl=spc["lcl"], ucl=spc["ucl"], part=spc["part"])
            if row["y"] is not None:
                row.update(point_class=cls, signal_label=label)
    return MeasureSummary(
        info=info,
        latest_label=last.label if last else "",
        latest_value=last.y if last else None,
        latest_display=format_value(last.y, info) if last else "",
        state=state,
        state_text=STATE_TEXT[state](),
        variation_icon=mdc.get("variation_icon") if mdc else None,
        assurance_icon=mdc.get("assurance_icon") if mdc else None,
        n_points=sum(p.y is not None for p in points),
        spark_rows=rows,
    )


def overview(
    *, community: Community, audience: Audience, token: str | None = None
) -> tuple[CommunityMeta, list[MeasureSummary]]:
    """Every active measure's summary for the CoP dashboard (cached as a whole)."""
    token = token or audience.token or data_token(community.organization)
    key = f"dash:overview:{community.pk}:{audience.data_key}:{token}:{translation.get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    meta = community_meta(community, token)
    arrays = measure_arrays(community=community, audience=audience, meta=meta, token=token)
    summaries = [summarise(info, total_series(info, arrays[info.id])) for info in meta.measures]
    for summary in summaries:  # rendered once here, so a cache hit renders nothing
        summary.spark_svg = charts.render_chart_svg(
            charts.sparkline_spec(title="", rows=summary.spark_rows)
        )
    cache.set(key, (meta, summaries), CACHE_SECONDS)
    return meta, summaries
