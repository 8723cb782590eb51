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
from notifications.sections.base import Batch, Collected, Item, site_url
from notifications.sections.followed import subscriptions, wants_in_digest

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
        subs = subscriptions(batch)
        with scopes_disabled():
            active = list(
                Post.objects.filter(
                    community_id__in=batch.community_ids, created_at__gte=since, is_hidden=False
                )
                .values(
                    "thread_id",
                    "thread__community_id",
                    "thread__workstream_id",
                    "thread__title",
                    "thread__status",
                )
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
                .values_list(
                    "id", "community_id", "workstream_id", "title", "closing_summary", "closed_at"
                )
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
            for uid in batch.members_with(community.pk, CommunityPermission.VIEW_DISCUSSIONS):
                if row["latest"] < batch.since[uid]:
                    continue
                level = subs.level(uid, row["thread_id"], row["thread__workstream_id"])
                if level == "mute":
                    continue  # muted threads never notify
                if level == "follow" and wants_in_digest(batch, uid):
                    continue  # shown in "Discussions you follow" with unread counts
                out.setdefault((uid, community.pk), []).append(item)
        for pk, community_id, workstream_id, title, summary, closed_at in closed:
            community = batch.communities[community_id]
            item = Item(
                title=title,
                url=_thread_url(community, pk),
                note=_("Closed with a summary"),
                detail=plain_text(summary),
                when=closed_at,
            )
            for uid in batch.members_with(community_id, CommunityPermission.VIEW_DISCUSSIONS):
                if closed_at is not None and closed_at < batch.since[uid]:
                    continue
                if subs.level(uid, pk, workstream_id) == "mute":
                    continue
                out.setdefault((uid, community_id), []).append(item)
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
