"""Digest sections from the communities app: threads with new posts and threads closed
with their summaries; for conveners, role terms ending within 30 days and join
requests waiting. Four queries per batch."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from communities.models import CommunityRoleAssignment, JoinRequest, Post, Thread
from communities.permissions import CommunityPermission
from copcore.rendering import plain_text
from notifications.sections.base import Batch, Collected, Item, for_members, site_url

TERM_WARNING = dt.timedelta(days=30)


def terms_ending(community_ids: set[int], today: dt.date) -> list[tuple]:
    """Active role terms of these CoPs ending within 30 days (one query)."""
    if not community_ids:
        return []
    with scopes_disabled():
        return list(
            CommunityRoleAssignment.objects.active_on(today)
            .filter(community_id__in=community_ids, ends_on__lte=today + TERM_WARNING)
            .order_by("ends_on", "id")
            .values_list("id", "community_id", "user_id", "user__display_name", "role", "ends_on")
        )


class RoleTermsProvider:
    key = "role_terms"
    title = _("Role terms ending within 30 days")
    order = 70

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        conveners = batch.conveners()
        convened = set().union(*conveners.values())
        labels = dict(CommunityRoleAssignment._meta.get_field("role").flatchoices)
        rows = terms_ending(convened, batch.now.date())
        for _pk, community_id, _user_id, name, role, ends_on in rows:
            community = batch.communities[community_id]
            item = Item(
                title=name,
                url=site_url(
                    "communities:detail",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                ),
                note=labels.get(role, role),
                when=ends_on,
            )
            for uid, held in conveners.items():
                if community_id in held:
                    out.setdefault((uid, community_id), []).append(item)
        return out


class ThreadsProvider:
    """Threads with new posts and threads closed with their summaries, for the people
    whose roles let them read the CoP's discussions (not sponsors). Two queries."""

    key = "threads"
    title = _("Discussions: new posts and closed threads")
    order = 30

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        since = batch.earliest_since
        with scopes_disabled():
            active = list(
                Post.objects.filter(
                    community_id__in=batch.community_ids, created_at__gte=since, is_hidden=False
                )
                .values("thread_id", "thread__community_id", "thread__title", "thread__status")
                .annotate(new_posts=Count("id"), latest=Max("created_at"))
                .order_by("-latest")
            )
            closed = list(
                Thread.objects.filter(
                    community_id__in=batch.community_ids,
                    status=Thread.Status.CLOSED,
                    closed_at__gte=since,
                )
                .order_by("-closed_at", "-id")
                .values_list("id", "community_id", "title", "closing_summary", "closed_at")
            )
        closed_ids = {row[0] for row in closed}
        for row in active:
            if row["thread_id"] in closed_ids:
                continue  # shown once, as closed with its summary
            community = batch.communities[row["thread__community_id"]]
            item = Item(
                title=row["thread__title"],
                url=_thread_url(community, row["thread_id"]),
                note=format_lazy("{}: {}", _("New posts"), row["new_posts"]),
                when=row["latest"],
            )
            for_members(
                batch, community.pk, item, out, since=row["latest"],
                permission=CommunityPermission.VIEW_DISCUSSIONS,
            )  # fmt: skip
        for pk, community_id, title, summary, closed_at in closed:
            community = batch.communities[community_id]
            item = Item(
                title=title,
                url=_thread_url(community, pk),
                note=_("Closed with a summary"),
                detail=plain_text(summary),
                when=closed_at,
            )
            for_members(
                batch, community_id, item, out, since=closed_at,
                permission=CommunityPermission.VIEW_DISCUSSIONS,
            )  # fmt: skip
        return out


def _thread_url(community, thread_id: int) -> str:
    return site_url(
        "communities:thread_detail",
        org_slug=community.organization.slug,
        community_slug=community.slug,
        thread_id=thread_id,
    )


class JoinRequestsProvider:
    """For conveners: join requests waiting for a decision. One query."""

    key = "join_requests"
    title = _("Join requests waiting for a decision")
    order = 75

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        conveners = batch.conveners()
        convened = set().union(*conveners.values())
        if not convened:
            return out
        with scopes_disabled():
            rows = list(
                JoinRequest.objects.filter(
                    community_id__in=convened, status=JoinRequest.Status.PENDING
                )
                .order_by("created_at", "id")
                .values_list("community_id", "user__display_name", "job_title", "created_at")
            )
        for community_id, name, job_title, created_at in rows:
            community = batch.communities[community_id]
            item = Item(
                title=name,
                url=site_url(
                    "communities:join_requests",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                ),
                note=job_title,
                when=created_at,
            )
            for uid, held in conveners.items():
                if community_id in held:
                    out.setdefault((uid, community_id), []).append(item)
        return out


PROVIDERS = [RoleTermsProvider(), ThreadsProvider(), JoinRequestsProvider()]
