"""Digest section "Discussions you follow": new replies by others in the threads each
person follows (the thread's own choice, else its workstream's), with how many of
them are still unread. For people who chose to get followed replies in the digest;
those who chose "at once" had an email per reply already. Muted threads never appear
here nor in the general discussions section. Three queries per batch."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from communities.models import DiscussionSubscription, Post, ThreadReadState
from communities.permissions import CommunityPermission
from notifications.models import FollowedReplies, NotificationPreference
from notifications.schedule import DEFAULTS
from notifications.sections.base import Batch, Collected, Item, site_url

KEY = "discussion_subscriptions"


class Subscriptions:
    """Every follow/mute choice of the batch's people (one query, shared by the
    followed section and the general discussions section)."""

    def __init__(self, batch: Batch):
        self.threads: dict[int, dict[int, str]] = defaultdict(dict)
        self.workstreams: dict[int, dict[int, str]] = defaultdict(dict)
        with scopes_disabled():
            rows = DiscussionSubscription.objects.filter(
                user_id__in=list(batch.users), community_id__in=batch.community_ids
            ).values_list("user_id", "thread_id", "workstream_id", "level")
            for user_id, thread_id, workstream_id, level in rows:
                if thread_id:
                    self.threads[user_id][thread_id] = level
                else:
                    self.workstreams[user_id][workstream_id] = level

    def level(self, user_id: int, thread_id: int, workstream_id: int) -> str | None:
        own = self.threads.get(user_id, {}).get(thread_id)
        return own or self.workstreams.get(user_id, {}).get(workstream_id)


def subscriptions(batch: Batch) -> Subscriptions:
    if KEY not in batch.shared:
        batch.shared[KEY] = Subscriptions(batch)
    return batch.shared[KEY]


def wants_in_digest(batch: Batch, user_id: int) -> bool:
    """Whether the person gets followed replies in the digest (the default)."""
    user = batch.users[user_id]
    try:
        pref = user.notification_preference
    except NotificationPreference.DoesNotExist:
        pref = DEFAULTS
    return pref.followed_replies == FollowedReplies.DIGEST


class FollowedThreadsProvider:
    key = "followed_threads"
    title = _("Discussions you follow")
    order = 25

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        subs = subscriptions(batch)
        thread_ids = {t for per in subs.threads.values() for t, lv in per.items() if lv == "follow"}
        ws_ids = {w for per in subs.workstreams.values() for w, lv in per.items() if lv == "follow"}
        if not thread_ids and not ws_ids:
            return out
        with scopes_disabled():
            rows = list(
                Post.objects.filter(
                    Q(thread_id__in=thread_ids) | Q(thread__workstream_id__in=ws_ids),
                    community_id__in=batch.community_ids,
                    created_at__gte=batch.earliest_since,
                    is_hidden=False,
                )
                .order_by("created_at", "id")
                .values_list(
                    "thread_id",
                    "thread__workstream_id",
                    "thread__community_id",
                    "thread__title",
                    "author_id",
                    "created_at",
                )
            )
            read = {
                (u, t): at
                for u, t, at in ThreadReadState.objects.filter(
                    user_id__in=list(batch.users), thread_id__in={r[0] for r in rows}
                ).values_list("user_id", "thread_id", "last_read_at")
            }
        # person -> thread -> [new replies, unread, latest, title, community]
        found: dict[int, dict[int, list]] = defaultdict(dict)
        for thread_id, ws_id, community_id, title, author_id, created_at in rows:
            for uid in batch.members_with(community_id, CommunityPermission.VIEW_DISCUSSIONS):
                if author_id == uid or created_at < batch.since[uid]:
                    continue
                if subs.level(uid, thread_id, ws_id) != "follow":
                    continue
                if not wants_in_digest(batch, uid):
                    continue
                entry = found[uid].setdefault(thread_id, [0, 0, created_at, title, community_id])
                entry[0] += 1
                last_read = read.get((uid, thread_id))
                if last_read is None or created_at > last_read:
                    entry[1] += 1
                entry[2] = max(entry[2], created_at)
        for uid, threads in found.items():
            for thread_id, (new, unread, latest, title, community_id) in sorted(
                threads.items(), key=lambda kv: kv[1][2], reverse=True
            ):
                community = batch.communities[community_id]
                out.setdefault((uid, community_id), []).append(
                    Item(
                        title=title,
                        url=site_url(
                            "communities:thread_unread",
                            org_slug=community.organization.slug,
                            community_slug=community.slug,
                            thread_id=thread_id,
                        ),
                        note=format_lazy(
                            "{}: {} · {}: {}", _("New posts"), new, _("Unread"), unread
                        ),
                        when=latest,
                    )
                )
        return out


PROVIDERS = [FollowedThreadsProvider()]
