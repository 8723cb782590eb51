"""The organization's portfolio: every CoP the person may see, side by side, so a
convener of many CoPs or a sponsor sees which are moving.

Per CoP: its phase and the months in it, its expected results and their status, the
progress-score distribution this month (IHI Assessment Scale) and its change from last
month, the latest signals of its key measures (its outcome measures, or all measures
when it has none), vitality, data completeness, overdue action items and open
escalations. The facts are read for all CoPs together in grouped queries; two come per
CoP from caches: the dashboards' measure overview (kept by the data version, under the
person's disclosure rule) and the vitality figures (kept for a few minutes).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from communities.models import (
    Community,
    CommunityRoleAssignment,
    Escalation,
    ExpectedResult,
    Phase,
    PhaseTransition,
)
from communities.permissions import CommunityPermission as P
from copcore.models import Organization, User
from copcore.permissions import CommunityRole, OrgRole, guardian_codename
from dashboards.selectors import vitality as vitality_selectors
from dashboards.selectors.audience import audience_for, data_token
from dashboards.selectors.summaries import overview

VITALITY_CACHE_SECONDS = 10 * 60
SIGNAL_STATES = ("improvement", "concern", "signal")


@dataclass
class MeasureSignal:
    name: str
    state: str
    state_text: str
    latest: str


@dataclass
class PortfolioRow:
    """One CoP's line of the portfolio (plain values: the page, the CSV/XLSX and the
    API read the same row)."""

    community: Community
    phase: str
    phase_label: str
    phase_since: dt.date
    months_in_phase: int
    results_total: int = 0
    results_status: dict[str, int] = field(default_factory=dict)
    progress_counts: dict[Decimal, int] = field(default_factory=dict)
    progress_median: Decimal | None = None
    progress_median_before: Decimal | None = None
    progress_rated: int = 0
    sites: int = 0
    sites_complete: int = 0
    signals: list[MeasureSignal] | None = None  # None: the person may not see the data
    measures: int = 0
    vitality: str = "none"
    vitality_text: str = ""
    overdue_actions: int = 0
    open_escalations: int = 0

    @property
    def progress_change(self) -> Decimal | None:
        if self.progress_median is None or self.progress_median_before is None:
            return None
        return self.progress_median - self.progress_median_before

    @property
    def progress_change_size(self) -> Decimal | None:
        """The size of the change, for sentences that say up or down in words."""
        change = self.progress_change
        return abs(change) if change is not None else None

    @property
    def completeness_percent(self) -> int | None:
        if not self.sites:
            return None
        return round(100 * self.sites_complete / self.sites)

    @property
    def results_reviewed(self) -> int:
        return sum(self.results_status.values())

    @property
    def progress_text(self) -> str:
        return ", ".join(f"{v:.1f}×{n}" for v, n in sorted(self.progress_counts.items()))


def may_see_portfolio(*, user: User, organization: Organization, org_role: str | None) -> bool:
    """Org admins, and people who sponsor at least one of the organization's CoPs."""
    if org_role == OrgRole.ADMIN:
        return True
    return (
        CommunityRoleAssignment.objects.filter(
            community__organization=organization, user=user, role=CommunityRole.SPONSOR
        )
        .active_on(timezone.localdate())
        .exists()
    )


def _visible(
    user: User, organization: Organization, org_role: str | None
) -> list[tuple[Community, frozenset[str]]]:
    """The CoPs the person may see, each with their permissions (guardian read once)."""
    from guardian.core import ObjectPermissionChecker

    from copcore.permissions import ALL_COMMUNITY_PERMISSIONS, org_role_community_permissions

    communities = list(Community.objects.filter(organization=organization).order_by("name"))
    if not communities:
        return []
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms(communities)  # type: ignore[arg-type]
    extra = org_role_community_permissions(org_role)
    result = []
    for community in communities:
        codenames = set(checker.get_perms(community))
        held = (
            frozenset(p for p in ALL_COMMUNITY_PERMISSIONS if guardian_codename(p) in codenames)
            | extra
        )
        if P.VIEW in held:
            result.append((community, held))
    return result


def _months_between(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


def _median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _vitality(community: Community) -> tuple[str, str]:
    from django.utils import translation

    key = f"portfolio:vitality:{community.pk}:{timezone.localdate()}:{translation.get_language()}"
    found = cache.get(key)
    if found is None:
        report = vitality_selectors.community_vitality(community=community)
        found = (report.status, report.status_text)
        cache.set(key, found, VITALITY_CACHE_SECONDS)
    return found


def portfolio(
    *, user: User, organization: Organization, org_role: str | None
) -> list[PortfolioRow]:
    """Every CoP the person may see with its line of the portfolio."""
    from evaluation.models import ExpectedResultReview
    from evaluation.selectors.progress import months_back, scores_by_month
    from measurement.models import SiteEnrolment
    from notifications.sections.measurement import data_gaps
    from sessions.models import OPEN_ACTION_STATUSES, ActionItem

    visible = _visible(user, organization, org_role)
    if not visible:
        return []
    today = timezone.localdate()
    ids = [c.pk for c, _perms in visible]
    since: dict[int, dt.date] = {}
    for community_id, created_at in (
        PhaseTransition.objects.filter(community_id__in=ids)
        .order_by("community_id", "-created_at", "-id")
        .distinct("community_id")
        .values_list("community_id", "created_at")
    ):
        since[community_id] = timezone.localtime(created_at).date()
    results = dict(
        ExpectedResult.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    statuses: dict[int, Counter[str]] = defaultdict(Counter)
    for community_id, status, n in (
        ExpectedResultReview.objects.filter(community_id__in=ids)
        .values("community_id", "status")
        .annotate(n=Count("id"))
        .values_list("community_id", "status", "n")
    ):
        statuses[community_id][status] = n
    this_month, last_month = months_back(today.replace(day=1), 2)[::-1]
    scores = scores_by_month(community_ids=ids, months=[last_month, this_month])
    sites = dict(
        SiteEnrolment.objects.filter(community_id__in=ids)
        .exclude(ends_on__lt=today)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    gaps = data_gaps(set(ids), today)
    overdue = dict(
        ActionItem.objects.filter(
            community_id__in=ids, status__in=OPEN_ACTION_STATUSES, due_on__lt=today
        )
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    escalations = dict(
        Escalation.objects.filter(
            community_id__in=ids,
            status__in=[Escalation.Status.OPEN, Escalation.Status.IN_PROGRESS],
        )
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    token = data_token(organization)
    rows = []
    for community, perms in visible:
        phase_since = since.get(community.pk) or timezone.localtime(community.created_at).date()
        current = scores.get(community.pk, {}).get(this_month, {})
        before = scores.get(community.pk, {}).get(last_month, {})
        row = PortfolioRow(
            community=community,
            phase=community.phase,
            phase_label=str(Phase(community.phase).label),
            phase_since=phase_since,
            months_in_phase=_months_between(phase_since, today),
            results_total=results.get(community.pk, 0),
            results_status=dict(statuses.get(community.pk, {})),
            progress_counts=dict(Counter(current.values())),
            progress_median=_median(list(current.values())),
            progress_median_before=_median(list(before.values())),
            progress_rated=len(current),
            sites=sites.get(community.pk, 0),
            overdue_actions=overdue.get(community.pk, 0),
            open_escalations=escalations.get(community.pk, 0),
        )
        row.sites_complete = max(0, row.sites - len(gaps.get(community.pk, [])))
        row.vitality, row.vitality_text = _vitality(community)
        audience = audience_for(user=user, community=community, granted=set(perms), token=token)
        if audience.can_view:
            _meta, summaries = overview(community=community, audience=audience, token=token)
            key = [s for s in summaries if s.info.kind == "outcome"] or summaries
            row.measures = len(key)
            row.signals = [
                MeasureSignal(
                    name=s.info.name,
                    state=s.state,
                    state_text=s.state_text,
                    latest=s.latest_display,
                )
                for s in key
            ]
        rows.append(row)
    return rows


SORTS: dict[str, Any] = {
    "name": lambda r: r.community.name.lower(),
    "phase": lambda r: (list(Phase.values).index(r.phase), r.community.name.lower()),
    "months": lambda r: (-r.months_in_phase, r.community.name.lower()),
    "progress": lambda r: (
        r.progress_median is None,
        -(r.progress_median or 0),
        r.community.name.lower(),
    ),
    "completeness": lambda r: (
        r.completeness_percent is None,
        r.completeness_percent or 0,
        r.community.name.lower(),
    ),
    "overdue": lambda r: (-r.overdue_actions, r.community.name.lower()),
    "escalations": lambda r: (-r.open_escalations, r.community.name.lower()),
}


def filter_and_sort(
    rows: list[PortfolioRow], *, phase: str = "", topic: str = "", sort: str = "name"
) -> list[PortfolioRow]:
    if phase:
        rows = [r for r in rows if r.phase == phase]
    if topic:
        rows = [r for r in rows if r.community.topic == topic]
    return sorted(rows, key=SORTS.get(sort, SORTS["name"]))


def topics(rows: list[PortfolioRow]) -> list[str]:
    return sorted({r.community.topic for r in rows if r.community.topic})
