"""What the dashboard pages and the API share: the CoP and audience of a request
(404 for anyone who may not see its data), the page context, inline SVG, and the
assembly of a measure's chart, its site comparison and its equity breakdowns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.http import OrganizationRequest
from copcore.models import OrganizationMembership, User
from dashboards import charts, selectors
from dashboards.charts.responsive import responsive_svg
from dashboards.selectors import (
    Audience,
    CommunityMeta,
    EquityBreakdown,
    FunnelPoint,
    MeasureArrays,
    MeasureChart,
    MeasureInfo,
    SiteInfo,
)
from dashboards.selectors.rare_events import chart_views
from measurement.models import Measure

CHART_KINDS = ("cop", "site", "sites", "funnel", "equity")
FILE_FORMATS = ("svg", "png", "csv")


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a chart (a page's or an API call's signed-in member): the
    annotations they may see and the chart settings they chose depend on it."""

    user: User
    membership: OrganizationMembership | None


def community_audience(
    request: OrganizationRequest, community_slug: str, *, sponsor_view: bool = False
) -> tuple[Community, Audience]:
    community, granted, token = selectors.community_with_access(
        organization=request.organization,
        slug=community_slug,
        user=request.user,
        access_token=request.access_version,
    )
    audience = selectors.audience_for(
        user=request.user,
        community=community,
        sponsor_view=sponsor_view,
        token=token,
        granted=granted,
    )
    selectors.require_view(audience)
    # The CoP navigation reads the same cached permissions: a warm dashboard makes no
    # permission query (see communities/templatetags/cop_nav.py).
    community.nav_permissions = frozenset(granted)
    return community, audience


def base_context(
    request: OrganizationRequest, community: Community, audience: Audience, **extra: Any
) -> dict[str, Any]:
    return {
        "community": community,
        "audience": audience,
        "rule_text": audience.rule.describe(),
        **extra,
    }


def inline_svg(spec: dict[str, Any]) -> str:
    """Inline SVG from our own renderer (vl-convert escapes the text it draws), sized
    to fill the content column (its viewBox keeps the proportions)."""
    return mark_safe(responsive_svg(charts.render_chart_svg(spec)))  # noqa: S308


def measure_parts(
    community: Community, audience: Audience, measure_id: int
) -> tuple[CommunityMeta, MeasureInfo, MeasureArrays]:
    token = audience.token
    meta = selectors.community_meta(community, token)
    info = meta.measure(measure_id)
    arrays = selectors.measure_arrays(
        community=community, audience=audience, meta=meta, token=token, measure_ids=[info.id]
    )[info.id]
    return meta, info, arrays


def site_param(request: OrganizationRequest, meta: CommunityMeta) -> int | None:
    raw = request.GET.get("site") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return meta.site(int(raw)).id


def build_measure_chart(
    viewer: Viewer, community: Community, audience: Audience, measure_id: int, site_id: int | None
) -> tuple[CommunityMeta, MeasureInfo, MeasureArrays, MeasureChart]:
    meta, info, arrays = measure_parts(community, audience, measure_id)
    if site_id is not None:
        site = meta.site(site_id)
        points = selectors.site_series(info, arrays, site.id)
        scope_label = site.name
    else:
        points = selectors.total_series(info, arrays)
        scope_label = _("whole CoP")
    notes_url = reverse(
        "dashboards:dashboard_measure",
        kwargs={
            "org_slug": community.organization.slug,
            "community_slug": community.slug,
            "measure_id": info.id,
        },
    )
    annotations = selectors.annotations_for(
        info=info,
        organization=community.organization,
        user=viewer.user,
        membership=viewer.membership,
        site_id=site_id,
        notes_url=notes_url,
    )
    options, drawers = chart_views(
        info=info, audience=audience, arrays=arrays,
        all_site_ids=[s.id for s in meta.sites], site_id=site_id,
    )  # fmt: skip
    chart = selectors.measure_chart(
        info=info,
        points=points,
        preference=selectors.chart_preference(user=viewer.user, measure_id=info.id),
        annotations=annotations,
        scope_label=scope_label,
        options=options,
        drawers=drawers,
    )
    return meta, info, arrays, chart


def _site_labels(community: Community, meta: CommunityMeta, anonymous: bool) -> dict[int, str]:
    if anonymous:
        return selectors.anonymous_labels(community.pk, [s.id for s in meta.sites])
    return {s.id: s.name for s in meta.sites}


def _sites_order(meta: CommunityMeta, labels: dict[int, str], anonymous: bool) -> list[SiteInfo]:
    if anonymous:
        return sorted(meta.sites, key=lambda s: (len(labels[s.id]), labels[s.id]))
    return list(meta.sites)  # by name, then code: a neutral order


def build_comparison(
    viewer: Viewer, community: Community, audience: Audience, measure_id: int, anonymous: bool
) -> tuple[
    CommunityMeta,
    MeasureInfo,
    list[tuple[str, list[dict[str, Any]]]],
    dict[str, Any],
    float | None,
    list[FunnelPoint],
    dict[str, Any] | None,
]:
    meta, info, arrays = measure_parts(community, audience, measure_id)
    labels = _site_labels(community, meta, anonymous)
    ordered = _sites_order(meta, labels, anonymous)
    preference = selectors.chart_preference(user=viewer.user, measure_id=info.id)
    chart_type, method = selectors.chart_choice(info, preference)
    panels = []
    for site in ordered:
        points = selectors.site_series(info, arrays, site.id)
        result = selectors.analyse_series(info, points, chart_type, method)
        panels.append(
            (labels[site.id], selectors.chart_rows(points, result, method, info.period_direction))
        )
    y_title = info.unit or info.name
    multiples = charts.small_multiples_spec(
        title=_("%(measure)s by site (shared scale)") % {"measure": info.name},
        y_title=y_title,
        panels=panels,
    )
    overall, funnel = selectors.funnel_points(info, arrays, labels)
    # The plot labels each point: the site's short code, or its anonymous label.
    codes = {s.id: s.code or s.name for s in meta.sites}
    for point in funnel:
        point.chart_label = labels[point.site_id] if anonymous else codes[point.site_id]
    funnel_spec = None
    if overall is not None and funnel:
        denominators = [p.den.value for p in funnel if p.den.value]
        limits = charts.funnel_limits(
            overall=overall,
            denominators=denominators,
            kind="proportion" if info.value_type == Measure.ValueType.PROPORTION else "rate",
            multiply=info.multiply,
        )
        funnel_spec = charts.funnel_spec(
            title=_("%(measure)s: funnel plot of the last %(n)s periods")
            % {"measure": info.name, "n": selectors.WINDOW},
            y_title=y_title,
            x_title=_("Denominator"),
            points=[
                {
                    "site": p.label,
                    "label": p.chart_label,
                    "n": p.den.value,
                    "y": p.y,
                    "outside": p.outside,
                }
                for p in funnel
                if p.y is not None and p.den.value
            ],
            overall=overall,
            limits=limits,
        )
    return meta, info, panels, multiples, overall, funnel, funnel_spec


def build_equity(
    community: Community, audience: Audience, measure_id: int
) -> tuple[CommunityMeta, MeasureInfo, list[tuple[EquityBreakdown, dict[str, Any]]]]:
    meta, info, arrays = measure_parts(community, audience, measure_id)
    breakdowns = selectors.equity_breakdowns(info, arrays)
    y_title = info.unit or info.name
    result = []
    for breakdown in breakdowns:
        spec = charts.equity_spec(
            title=_("%(measure)s by %(stratifier)s")
            % {"measure": info.name, "stratifier": breakdown.stratifier.name},
            y_title=y_title,
            series=[
                (label, [{"period": p.label, "y": p.y} for p in points])
                for _cat, label, points in breakdown.series
            ],
        )
        result.append((breakdown, spec))
    return meta, info, result
