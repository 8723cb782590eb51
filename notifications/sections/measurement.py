"""Digest sections from the measurement app: for data stewards, data due or missing
for the sites enrolled in their CoPs. Three queries per batch (enrolments, measures,
the totals of the window) for every CoP of the batch together, mirroring
``measurement.selectors.due_data`` (one CoP at a time) with the same window.

Chart signals (new SPC signals with small server-rendered charts) and the sponsor
one-line status need the dashboards issue's ``measurement/charts.py`` and
``measurement/disclosure.py``; they are provided by ``signals.py`` once those exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from copcore.permissions import CommunityRole
from measurement.models import Measure, Observation, SiteEnrolment
from measurement.periods import last_complete_period, next_period, previous_period
from measurement.selectors import DUE_WINDOW
from notifications.sections.base import Batch, Collected, Item, site_url


@dataclass
class SiteGap:
    """One enrolled site of a CoP and its periods without a total, per measure."""

    community_id: int
    site_id: int
    site_name: str
    due: list[tuple[str, dt.date]]  # (measure name, period) of the latest period
    missing: list[tuple[str, dt.date]]  # earlier periods still without data


def data_gaps(community_ids: set[int], today: dt.date) -> dict[int, list[SiteGap]]:
    """Per CoP, the enrolled sites with data due or missing. Three queries."""
    if not community_ids:
        return {}
    windows: dict[str, list[dt.date]] = {}
    for frequency, size in DUE_WINDOW.items():
        periods = [last_complete_period(frequency, today)]
        while len(periods) < size:
            periods.insert(0, previous_period(frequency, periods[0]))
        windows[frequency] = periods
    earliest = min(p[0] for p in windows.values())
    with scopes_disabled():
        enrolments = list(
            SiteEnrolment.objects.filter(community_id__in=community_ids)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=earliest))
            .values_list("community_id", "site_id", "site__name", "enrolled_on", "ends_on")
        )
        measures = list(
            Measure.objects.filter(community_id__in=community_ids, is_active=True)
            .order_by("code")
            .values_list("id", "community_id", "name", "frequency")
        )
        present = set(
            Observation.objects.filter(
                measure__community_id__in=community_ids,
                category__isnull=True,
                period__gte=earliest,
            ).values_list("measure_id", "site_id", "period")
        )
    by_community: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for measure_id, community_id, name, frequency in measures:
        by_community[community_id].append((measure_id, name, frequency))
    result: dict[int, list[SiteGap]] = defaultdict(list)
    for community_id, site_id, site_name, enrolled_on, ends_on in enrolments:
        gap = SiteGap(community_id, site_id, site_name, [], [])
        for measure_id, name, frequency in by_community.get(community_id, []):
            periods = windows[frequency]
            for period in periods:
                if ends_on and period >= ends_on:
                    continue
                if next_period(frequency, period) <= enrolled_on:
                    continue
                if (measure_id, site_id, period) in present:
                    continue
                (gap.due if period == periods[-1] else gap.missing).append((name, period))
        if gap.due or gap.missing:
            result[community_id].append(gap)
    return result


class DataDueProvider:
    key = "data_due"
    title = _("Data due or missing for your sites")
    order = 60

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        stewards = batch.holders(CommunityRole.DATA_STEWARD)
        stewarded = set().union(*stewards.values())
        gaps = data_gaps(stewarded, batch.now.date())
        for uid, community_ids in stewards.items():
            for community_id in community_ids:
                community = batch.communities[community_id]
                for gap in gaps.get(community_id, []):
                    item = Item(
                        title=gap.site_name,
                        url=site_url(
                            "measurement:site_due",
                            org_slug=community.organization.slug,
                            community_slug=community.slug,
                            site_id=gap.site_id,
                        ),
                        note=format_lazy(
                            "{}: {} · {}: {}",
                            _("Due now"),
                            len(gap.due),
                            _("Missing from earlier periods"),
                            len(gap.missing),
                        ),
                        detail=", ".join(sorted({name for name, _period in gap.due + gap.missing})),
                    )
                    out.setdefault((uid, community_id), []).append(item)
        return out


PROVIDERS = [DataDueProvider()]
