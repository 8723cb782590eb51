"""What the dashboards know about a CoP's measures, stratifiers and sites (cached per
data version), read as plain tuples in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from communities.models import Community
from copcore import versioned_cache as cache
from dashboards.selectors.audience import CACHE_SECONDS
from measurement.models import (
    NATURAL_CHART,
    Measure,
    PhaseBreak,
    SiteEnrolment,
    StratifierCategory,
    drawable_charts,
    replaced_chart_note,
)

# ---------------------------------------------------------------- measure metadata


@dataclass
class StratifierInfo:
    id: int
    name: str
    categories: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class MeasureInfo:
    id: int
    code: str
    name: str
    kind: str
    reaim: str
    value_type: str
    frequency: str
    direction: str
    goal: float | None
    chart_type: str
    baseline_periods: int | None
    rate_multiplier: int | None
    rate_unit: str
    stratifiers: list[StratifierInfo] = field(default_factory=list)
    phases: list[tuple[dt.date, str]] = field(default_factory=list)
    replaced_chart_type: str = ""  # a default chart the engine could not draw (migration)
    opportunity_unit: str = ""  # rare events: what is counted between events (g chart)

    @property
    def uses_ratio(self) -> bool:
        return self.value_type in (Measure.ValueType.PROPORTION, Measure.ValueType.RATE)

    @property
    def kind_label(self) -> str:
        return str(dict(Measure.Kind.choices).get(self.kind, self.kind))

    @property
    def reaim_label(self) -> str:
        return str(dict(Measure.ReAim.choices).get(self.reaim, self.reaim))

    @property
    def direction_label(self) -> str:
        return str(dict(Measure.Direction.choices).get(self.direction, self.direction))

    @property
    def is_count(self) -> bool:
        """Counts per period: count measures, and rare events counted per period."""
        return self.value_type in (Measure.ValueType.COUNT, Measure.ValueType.RARE_EVENTS)

    @property
    def is_rare_events(self) -> bool:
        return self.value_type == Measure.ValueType.RARE_EVENTS

    @property
    def period_direction(self) -> str:
        """The direction of improvement of the figures per period. A rare-events
        measure's direction is that of the time (or cases) between events, as its t and
        g charts show; its figures per period count events, which move the other way."""
        if self.is_rare_events:
            return {"up": "down", "down": "up"}.get(self.direction, self.direction)
        return self.direction

    @property
    def charts(self) -> tuple[str, ...]:
        """The charts the engine can draw for this measure (``drawable_charts``)."""
        return drawable_charts(self.value_type, counts_opportunities=bool(self.opportunity_unit))

    @property
    def multiply(self) -> float:
        if self.value_type == Measure.ValueType.PROPORTION:
            return 100.0
        if self.value_type == Measure.ValueType.RATE:
            return float(self.rate_multiplier or 1)
        return 1.0

    @property
    def plotted_goal(self) -> float | None:
        """The goal in the unit the charts and figures use: a proportion's goal written
        as a fraction (0.8) is charted and compared in percent (80)."""
        if self.goal is None:
            return None
        if self.value_type == Measure.ValueType.PROPORTION and self.goal <= 1:
            return self.goal * 100
        return self.goal

    @property
    def unit(self) -> str:
        if self.value_type == Measure.ValueType.PROPORTION:
            return "%"
        if self.value_type == Measure.ValueType.RATE:
            return _("per %(n)s %(unit)s") % {"n": self.rate_multiplier, "unit": self.rate_unit}
        if self.value_type == Measure.ValueType.DAYS_BETWEEN:
            return _("days")
        if self.value_type == Measure.ValueType.RARE_EVENTS:
            return _("events")
        return ""

    @property
    def default_chart(self) -> str:
        """The measure's own chart: ``measure_save`` and the migration that replaced
        undrawable ones keep it drawable; a row written around them gets its value
        type's natural chart, and the chart page says so (:attr:`chart_note`)."""
        if self.chart_type in self.charts:
            return self.chart_type
        return NATURAL_CHART.get(self.value_type, "run")

    @property
    def chart_note(self) -> str:
        """Why the chart shown is not the default chart once chosen ("" when it is)."""
        replaced = self.replaced_chart_type
        if not replaced and self.default_chart != self.chart_type:
            replaced = self.chart_type
        if not replaced:
            return ""
        return replaced_chart_note(value_type=self.value_type, old=replaced, new=self.default_chart)

    @property
    def categories(self) -> list[tuple[int, str]]:
        return [c for s in self.stratifiers for c in s.categories]


@dataclass
class SiteInfo:
    id: int
    name: str
    code: str
    wave: int
    enrolled_on: dt.date
    ends_on: dt.date | None


@dataclass
class CommunityMeta:
    measures: list[MeasureInfo]
    sites: list[SiteInfo]

    def measure(self, measure_id: int) -> MeasureInfo:
        for info in self.measures:
            if info.id == measure_id:
                return info
        raise Http404

    def site(self, site_id: int) -> SiteInfo:
        for site in self.sites:
            if site.id == site_id:
                return site
        raise Http404


def _load_meta(community: Community) -> CommunityMeta:
    """Four queries: measures, their stratifier categories, phase breaks, enrolments."""
    rows = Measure.objects.filter(community=community, is_active=True).order_by("code")
    measures = {
        m["id"]: MeasureInfo(
            id=m["id"],
            code=m["code"],
            name=m["name"],
            kind=m["kind"],
            reaim=m["reaim_dimension"],
            value_type=m["value_type"],
            frequency=m["frequency"],
            direction=m["direction"],
            goal=float(m["goal"]) if m["goal"] is not None else None,
            chart_type=m["chart_type"],
            baseline_periods=m["baseline_periods"],
            rate_multiplier=m["rate_multiplier"],
            rate_unit=m["rate_unit"],
            replaced_chart_type=m["replaced_chart_type"],
            opportunity_unit=m["opportunity_unit"],
        )
        for m in rows.values(
            "id",
            "code",
            "name",
            "kind",
            "reaim_dimension",
            "value_type",
            "frequency",
            "direction",
            "goal",
            "chart_type",
            "baseline_periods",
            "rate_multiplier",
            "rate_unit",
            "replaced_chart_type",
            "opportunity_unit",
        )  # fmt: skip
    }
    categories = (
        StratifierCategory.objects.filter(stratifier__measures__in=list(measures))
        .order_by("stratifier__name", "stratifier_id", "position", "id")
        .values_list("stratifier__measures", "stratifier_id", "stratifier__name", "id", "label")
    )
    for measure_id, strat_id, strat_name, cat_id, label in categories:
        info = measures.get(measure_id)
        if info is None:
            continue
        if not info.stratifiers or info.stratifiers[-1].id != strat_id:
            info.stratifiers.append(StratifierInfo(id=strat_id, name=strat_name))
        info.stratifiers[-1].categories.append((cat_id, label))
    breaks = PhaseBreak.objects.filter(measure_id__in=list(measures)).order_by("starts_on")
    for measure_id, starts_on, reason in breaks.values_list("measure_id", "starts_on", "reason"):
        measures[measure_id].phases.append((starts_on, reason))
    sites = [
        SiteInfo(id=site_id, name=name, code=code, wave=wave, enrolled_on=enrolled, ends_on=ends)
        for site_id, name, code, wave, enrolled, ends in SiteEnrolment.objects.filter(
            community=community
        )
        .order_by("site__name", "site__code")
        .values_list("site_id", "site__name", "site__code", "wave", "enrolled_on", "ends_on")
    ]
    return CommunityMeta(measures=list(measures.values()), sites=sites)


def community_meta(community: Community, token: str) -> CommunityMeta:
    key = f"dash:meta:{community.pk}:{token}"
    meta = cache.get(key)
    if meta is None:
        meta = _load_meta(community)
        cache.set(key, meta, CACHE_SECONDS)
    return meta
