"""Digest sections from the dashboards (measurement) issue: new chart signals on the
CoP's measures, with a small chart rendered on the server, and for sponsors the CoP's
one-line status.

Every figure comes from ``dashboards.selectors.overview`` computed for one
*digest audience* per CoP: approved data only and the organization's disclosure rule
(``dashboards.disclosure``) applied, whoever reads the digest (data stewards see the
unsuppressed figures on the platform, not in an email that can be forwarded). The
same overview serves every reader of the CoP, and it is cached by the dashboards, so
the cost grows with the number of CoPs whose data changed, never with the number of
people: one query for the measures with new data, then the dashboards' queries per
CoP on a cache miss only.

The chart is the dashboards' sparkline rendered to PNG on the server and sent as an
inline (``cid:``) attachment: mail clients that drop inline SVG still show it, and its
alternative text and the figure in the text part say the same.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from copcore.permissions import CommunityRole
from measurement.models import Observation
from measurement.permissions import MeasurementPermission
from notifications.sections.base import Batch, Collected, Item, site_url

SIGNAL_STATES = {
    "improvement": _("Special cause: improvement"),
    "concern": _("Special cause: concern"),
    "signal": _("Special cause"),
}


def digest_audience(community):
    from dashboards import selectors as dashboard_selectors

    return dashboard_selectors.Audience(
        community_id=community.pk,
        can_view=True,
        statuses=(Observation.Status.APPROVED,),
        rule=dashboard_selectors.organization_rule(community.organization),
        unsuppressed=False,
        read_only=True,
        can_manage=False,
        can_note=False,
    )


def _measures_with_new_data(batch: Batch, community_ids: set[int]) -> dict[int, set[int]]:
    with scopes_disabled():
        rows = (
            Observation.objects.filter(
                measure__community_id__in=community_ids,
                status=Observation.Status.APPROVED,
                updated_at__gte=batch.earliest_since,
            )
            .values_list("measure__community_id", "measure_id")
            .distinct()
        )
        found: dict[int, set[int]] = {}
        for community_id, measure_id in rows:
            found.setdefault(community_id, set()).add(measure_id)
    return found


class ChartSignalsProvider:
    key = "chart_signals"
    title = _("New signals on the charts")
    order = 65

    def collect(self, batch: Batch) -> Collected:
        from dashboards import charts
        from dashboards import selectors as dashboard_selectors

        out: Collected = {}
        viewers = {
            cid: batch.members_with(cid, MeasurementPermission.VIEW_DATA)
            for cid in batch.community_ids
        }
        viewers = {cid: people for cid, people in viewers.items() if people}
        if not viewers:
            return out
        changed = _measures_with_new_data(batch, set(viewers))
        status_lines: dict[int, object] = batch.shared.setdefault("status_lines", {})
        for community_id, measure_ids in changed.items():
            community = batch.communities[community_id]
            with scopes_disabled():
                _meta, summaries = dashboard_selectors.overview(
                    community=community, audience=digest_audience(community)
                )
            counts = {"improvement": 0, "concern": 0, "signal": 0, "common": 0, "no_data": 0}
            for summary in summaries:
                counts[summary.state] = counts.get(summary.state, 0) + 1
                if summary.info.id not in measure_ids or summary.state not in SIGNAL_STATES:
                    continue
                spec = charts.sparkline_spec(title=summary.info.name, rows=summary.spark_rows)
                item = Item(
                    title=summary.info.name,
                    url=site_url(
                        "dashboards:dashboard_measure",
                        org_slug=community.organization.slug,
                        community_slug=community.slug,
                        measure_id=summary.info.id,
                    ),
                    note=SIGNAL_STATES[summary.state],
                    figures=[(summary.latest_display, summary.latest_label)]
                    if summary.latest_display
                    else [],
                    image_png=charts.render_chart_png(spec, scale=1.5),
                    image_cid=f"chart-{community_id}-{summary.info.id}-{charts.spec_hash(spec)[:12]}",
                )
                for uid in viewers.get(community_id, []):
                    if batch.since[uid] <= batch.now:
                        out.setdefault((uid, community_id), []).append(item)
            status_lines[community_id] = format_lazy(
                "{}: {} · {}: {} · {}: {} · {}: {}",
                _("Measures"),
                len(summaries),
                _("improving"),
                counts["improvement"],
                _("of concern"),
                counts["concern"],
                _("common cause"),
                counts["common"],
            )
        return out


class SponsorStatusProvider:
    """For sponsors: the CoP's one-line status (phase and measures by state), when the
    CoP's data changed in the period. Uses the same disclosed overview as the signals."""

    key = "sponsor_status"
    title = _("Status of the community")
    order = 5

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        sponsors = batch.holders(CommunityRole.SPONSOR)
        lines = batch.shared.get("status_lines", {})
        for uid, community_ids in sponsors.items():
            for community_id in community_ids:
                if community_id not in lines:
                    continue
                community = batch.communities[community_id]
                phase = getattr(community, "get_phase_display", lambda: "")()
                item = Item(
                    title=format_lazy("{}: {}", _("Phase"), phase) if phase else community.name,
                    url=site_url(
                        "dashboards:dashboard_sponsor",
                        org_slug=community.organization.slug,
                        community_slug=community.slug,
                    ),
                    note=lines[community_id],
                )
                out.setdefault((uid, community_id), []).append(item)
        return out


PROVIDERS = [ChartSignalsProvider(), SponsorStatusProvider()]
