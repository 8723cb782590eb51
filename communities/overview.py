"""Reads for the CoP overview as a "what needs me now" page, and for the organization
home's summary of the same across a person's CoPs.

Each section is read only when it applies to the person (their permissions on the CoP)
and each is a fixed number of queries, whatever the size of the CoP: the page's query
count is bounded (see ``communities/tests/test_overview.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import design, selectors
from communities.models import Community, Mention, Phase, PostFlag, Thread
from communities.overview_person import PersonNeeds, person_needs
from communities.permissions import CommunityPermission as P
from copcore.models import Organization, User

LIST_LIMIT = 5
MENTION_DAYS = 30


@dataclass
class Gate:
    """The next phase and what is still missing before the CoP may move to it."""

    next_phase: str
    missing: list[str]
    note: str = ""


@dataclass
class NeedsMe:
    """Every section of the overview; ``None`` (or empty) where it does not apply."""

    gate: Gate | None = None
    action_items: list[Any] | None = None
    overdue_items: int = 0
    sessions: list[Any] | None = None
    unanswered: list[Thread] | None = None
    unanswered_count: int = 0
    mentions: list[Mention] | None = None
    moderation_count: int | None = None
    open_escalations: int | None = None
    data_missing: int | None = None
    data_sites: list[dict] = field(default_factory=list)
    review_count: int | None = None
    signals: list[Any] | None = None
    measures_count: int = 0
    person: PersonNeeds = field(default_factory=PersonNeeds)

    @property
    def anything(self) -> bool:
        return bool(
            (self.gate and self.gate.missing)
            or self.person.anything
            or self.action_items
            or self.unanswered
            or self.mentions
            or self.moderation_count
            or self.data_missing
            or self.review_count
        )


def _gate(community: Community, perms: frozenset[str]) -> Gate | None:
    if community.phase == Phase.DESIGN:
        missing = design.implementation_gate_missing(
            community, selectors.design_facts(community=community)
        )
        return Gate(next_phase=str(Phase.IMPLEMENTATION.label), missing=missing)
    if community.phase == Phase.IMPLEMENTATION:
        return Gate(
            next_phase=str(Phase.CONCLUSION.label),
            missing=[],
            note=_("A convener moves the community on when its work is done, saying why."),
        )
    if community.phase == Phase.CONCLUSION and P.CHANGE_PHASE in perms:
        from evaluation.selectors import archive_blockers

        return Gate(
            next_phase=str(Phase.ARCHIVED.label),
            missing=list(archive_blockers(community=community)),
        )
    return None


def _data(needs: NeedsMe, community: Community, user: User, today: dt.date) -> None:
    from measurement import access
    from measurement import selectors as data_selectors

    if access.can_submit(user, community):
        due = data_selectors.due_data(community=community, today=today)
        needs.data_missing = sum(site.missing for site in due)
        needs.data_sites = [
            {"site": site.enrolment.site, "missing": site.missing} for site in due if site.missing
        ][:LIST_LIMIT]
    if access.can_approve(user, community):
        needs.review_count = data_selectors.pending_review(community=community).count()


def _signals(needs: NeedsMe, community: Community, user: User) -> None:
    """Special-cause signals on the CoP's measures, from the dashboards' cached overview
    (the SPC engine's results for what this person may see)."""
    from dashboards import selectors as dashboards

    audience = dashboards.audience_for(user=user, community=community)
    if not audience.can_view:
        return
    _meta, summaries = dashboards.overview(community=community, audience=audience)
    needs.measures_count = len(summaries)
    needs.signals = [s for s in summaries if s.state in ("improvement", "concern", "signal")]


def needs_me(*, community: Community, user: User, perms: frozenset[str]) -> NeedsMe:
    """What needs this person in this CoP now, section by section."""
    from sessions import selectors as session_selectors
    from sessions.models import OPEN_ACTION_STATUSES

    today = timezone.localdate()
    needs = NeedsMe()
    needs.gate = _gate(community, perms)
    if P.VIEW_DISCUSSIONS in perms:
        items = session_selectors.action_items_for_community(
            community=community, owner_id=user.pk, status="open"
        )
        needs.action_items = list(items[:LIST_LIMIT])
        needs.overdue_items = items.filter(
            status__in=OPEN_ACTION_STATUSES, due_on__lt=today
        ).count()
        needs.sessions = list(session_selectors.sessions_for_community(community=community)[:3])
        unanswered = (
            Thread.objects.filter(community=community, status=Thread.Status.OPEN)
            .annotate(n_posts=Count("posts"))
            .filter(n_posts__lte=1)
            .select_related("workstream")
            .order_by("-last_activity_at", "-id")
        )
        needs.unanswered = list(unanswered[:LIST_LIMIT])
        needs.unanswered_count = unanswered.count()
        since = timezone.now() - dt.timedelta(days=MENTION_DAYS)
        needs.mentions = list(
            Mention.objects.filter(post__community=community, user=user, created_at__gte=since)
            .exclude(post__thread__status=Thread.Status.CLOSED)
            .select_related("post__thread", "post__author")
            .order_by("-created_at")[:LIST_LIMIT]
        )
    if P.MODERATE in perms:
        counts = PostFlag.objects.filter(community=community).aggregate(
            flags=Count("id", filter=Q(status=PostFlag.Status.OPEN))
        )
        needs.moderation_count = counts["flags"]
    _data(needs, community, user, today)
    _signals(needs, community, user)
    needs.person = person_needs(
        user=user, communities=[community], perms={community.pk: perms}, invitations=False
    )
    return needs


@dataclass
class CommunityNeeds:
    """One CoP's line on the organization home: what waits for this person there."""

    community: Community
    action_items: int = 0
    overdue_items: int = 0
    flags: int | None = None
    unanswered: int | None = None
    review: int | None = None
    can_submit: bool = False
    gate_missing: int | None = None

    @property
    def anything(self) -> bool:
        return bool(
            self.action_items or self.flags or self.unanswered or self.review or self.gate_missing
        )


def _gates(rows: dict[int, CommunityNeeds], ids: list[int], today: dt.date) -> None:
    """The design gate of each CoP in design that the person steers: the facts of
    ``selectors.design_facts`` read for all of them in three grouped queries."""
    from communities.models import CharterVersion, CommunityRoleAssignment, ExpectedResult

    if not ids:
        return
    results = dict(
        ExpectedResult.objects.filter(community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    roles: dict[int, set[str]] = {i: set() for i in ids}
    for community_id, role in (
        CommunityRoleAssignment.objects.filter(community_id__in=ids)
        .active_on(today)
        .values_list("community_id", "role")
        .distinct()
    ):
        roles[community_id].add(role)
    chartered = set(
        CharterVersion.objects.filter(community_id__in=ids).values_list("community_id", flat=True)
    )
    for i in ids:
        facts = design.DesignFacts(
            results_count=results.get(i, 0),
            active_roles=frozenset(roles[i]),
            has_published_charter=i in chartered,
        )
        rows[i].gate_missing = len(design.implementation_gate_missing(rows[i].community, facts))


def needs_across(
    *, communities: list[Community], user: User, organization: Organization | None = None
) -> dict[str, Any]:
    """What needs the person across the CoPs listed on the organization home, in a
    fixed number of grouped queries whatever the number of CoPs."""
    from measurement.models import Observation
    from measurement.permissions import MeasurementPermission as M
    from sessions.models import OPEN_ACTION_STATUSES, ActionItem, Session

    today = timezone.localdate()
    rows: dict[int, CommunityNeeds] = {}
    perms: dict[int, frozenset[str]] = {}
    for community in communities:
        granted = selectors.community_permissions(user=user, community=community)
        perms[community.pk] = granted
        if P.VIEW_DISCUSSIONS not in granted and M.VIEW_DATA not in granted:
            continue
        rows[community.pk] = CommunityNeeds(
            community=community, can_submit=M.SUBMIT_DATA in granted
        )
    person = person_needs(
        user=user, communities=communities, perms=perms, organization=organization
    )
    if not rows:
        return {"rows": [], "sessions": [], "person": person, "anything": person.anything}
    ids = list(rows)
    discussing = [i for i in ids if P.VIEW_DISCUSSIONS in perms[i]]
    for items in (
        ActionItem.objects.filter(
            community_id__in=discussing, owner=user, status__in=OPEN_ACTION_STATUSES
        )
        .values("community_id")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=today)))
    ):
        rows[items["community_id"]].action_items = items["n"]
        rows[items["community_id"]].overdue_items = items["late"]
    moderating = [i for i in ids if P.MODERATE in perms[i]]
    for i in moderating:
        rows[i].flags = 0
    for flags in (
        PostFlag.objects.filter(community_id__in=moderating, status=PostFlag.Status.OPEN)
        .values("community_id")
        .annotate(n=Count("id"))
    ):
        rows[flags["community_id"]].flags = flags["n"]
    for i in discussing:
        rows[i].unanswered = 0
    unanswered = (
        Thread.objects.filter(community_id__in=discussing, status=Thread.Status.OPEN)
        .annotate(n_posts=Count("posts"))
        .filter(n_posts__lte=1)
        .values("pk")
    )
    for threads in (
        Thread.objects.filter(pk__in=unanswered)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows[threads["community_id"]].unanswered = threads["n"]
    approving = [i for i in ids if M.APPROVE_DATA in perms[i]]
    for i in approving:
        rows[i].review = 0
    for submitted in (
        Observation.objects.filter(
            measure__community_id__in=approving, status=Observation.Status.SUBMITTED
        )
        .values("measure__community_id")
        .annotate(n=Count("id"))
    ):
        rows[submitted["measure__community_id"]].review = submitted["n"]
    _gates(
        rows,
        [
            i
            for i in ids
            if rows[i].community.phase == Phase.DESIGN
            and (P.EDIT_DESIGN in perms[i] or P.CHANGE_PHASE in perms[i])
        ],
        today,
    )
    sessions = list(
        Session.objects.filter(community_id__in=discussing, ends_at__gte=timezone.now())
        .select_related("community")
        .order_by("starts_at", "id")[:LIST_LIMIT]
    )
    listed = [rows[i] for i in ids]
    return {
        "rows": listed,
        "sessions": sessions,
        "person": person,
        "anything": bool(sessions) or person.anything or any(row.anything for row in listed),
    }
