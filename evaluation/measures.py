"""The measurement app's dashboards, seen from the evaluation app: a measure's current
signal for the follow-through view, and the disclosed charts and data for the results
record. Everything goes through ``dashboards.selectors`` so the figures (and the
cells hidden by the disclosure rule) are the same as on the dashboards."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from communities.models import Community
from dashboards import selectors as dashboard_selectors
from dashboards.disclosure import DEFAULT_RULE
from measurement.models import CommunityDataPolicy, Observation

MIN_POINTS = 4


@dataclass(frozen=True)
class Signal:
    """A measure's current SPC reading."""

    key: str  # special_cause, common_cause, not_enough_data, no_access
    label: str
    detail: str = ""


def record_audience(community: Community) -> dashboard_selectors.Audience:
    """What a public deposit may show: the data a sponsor would see (approved, or also
    submitted when the CoP does not require approval) under the organization's rule,
    or the default rule when the organization's is off."""
    policy = CommunityDataPolicy.objects.filter(community=community).first()
    statuses: tuple[str, ...] = (Observation.Status.APPROVED,)
    if policy is None or not policy.requires_approval:
        statuses = (Observation.Status.APPROVED, Observation.Status.SUBMITTED)
    rule = dashboard_selectors.organization_rule(community.organization)
    return dashboard_selectors.Audience(
        community_id=community.pk,
        can_view=True,
        statuses=tuple(sorted(statuses)),
        rule=rule if rule.is_active else DEFAULT_RULE,
        unsuppressed=False,
        read_only=True,
        can_manage=False,
        can_note=False,
    )


def _reading(result: dict | None, points: int) -> Signal:
    if result is None or points < MIN_POINTS:
        return Signal(
            "not_enough_data",
            _("Not enough data"),
            _("%(n)d periods with a value so far") % {"n": points},
        )
    last_part = result["parts"][-1]
    shown = [p for p in result["points"] if p["y"] is not None]
    outside = bool(shown) and bool(shown[-1]["sigma_signal"])
    reasons = []
    if last_part.get("runs_signal"):
        reasons.append(_("unusual runs or crossings (runs rules)"))
    if outside:
        reasons.append(_("latest point outside the limits"))
    if reasons:
        return Signal("special_cause", _("Special-cause signal"), "; ".join(reasons))
    return Signal("common_cause", _("No signal: common-cause variation"))


def signals(
    *, community: Community, audience: dashboard_selectors.Audience, measure_ids: set[int]
) -> dict[int, Signal]:
    """The latest runs and sigma signal of each measure, from the SPC engine on the
    all-sites series the audience may see (its default chart, Anhoej rules)."""
    if not measure_ids:
        return {}
    if not audience.can_view:
        return {pk: Signal("no_access", _("You cannot see this CoP's data")) for pk in measure_ids}
    token = dashboard_selectors.data_token(community.organization)
    meta = dashboard_selectors.community_meta(community, token)
    known = {info.id: info for info in meta.measures if info.id in measure_ids}
    arrays = dashboard_selectors.measure_arrays(
        community=community, audience=audience, meta=meta, token=token, measure_ids=list(known)
    )
    out: dict[int, Signal] = {}
    for pk in measure_ids:
        info = known.get(pk)
        if info is None:
            out[pk] = Signal("not_enough_data", _("Measure not active"))
            continue
        points = dashboard_selectors.total_series(info, arrays[pk])
        chart, method = dashboard_selectors.chart_choice(info, None)
        result = dashboard_selectors.analyse_series(info, points, chart, method)
        out[pk] = _reading(result, sum(1 for p in points if p.y is not None))
    return out


@dataclass
class RecordMeasure:
    code: str
    name: str
    chart: dashboard_selectors.MeasureChart
    site_rows: list[list[str]]


def record_measures(community: Community) -> list[RecordMeasure]:
    """Each active measure's all-sites chart and its disclosed per-site figures."""
    audience = record_audience(community)
    token = dashboard_selectors.data_token(community.organization)
    meta = dashboard_selectors.community_meta(community, token)
    arrays = dashboard_selectors.measure_arrays(
        community=community, audience=audience, meta=meta, token=token
    )
    out = []
    for info in meta.measures:
        series = dashboard_selectors.total_series(info, arrays[info.id])
        chart = dashboard_selectors.measure_chart(
            info=info, points=series, preference=None, annotations=[], scope_label=_("All sites")
        )
        rows = []
        for site in meta.sites:
            for point in dashboard_selectors.site_series(info, arrays[info.id], site.id):
                if point.num.missing and (point.den is None or point.den.missing):
                    continue
                value = "*" if point.suppressed else ("" if point.y is None else f"{point.y:.4g}")
                rows.append(
                    [
                        info.code,
                        site.code,
                        site.name,
                        point.label,
                        point.num.display,
                        point.den.display if point.den is not None else "",
                        value,
                    ]
                )
        out.append(RecordMeasure(code=info.code, name=info.name, chart=chart, site_rows=rows))
    return out
