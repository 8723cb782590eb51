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
from communities.permissions import CommunityPermission as P
from copcore.models import User

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

    @property
    def anything(self) -> bool:
        return bool(
            (self.gate and self.gate.missing)
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
    from measurement import dashboards

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
    return needs
