"""Replies in followed discussions, sent at once to the people who chose that.

A person follows a thread (or its workstream, unless they muted the thread) and
chose "at once" in their email preferences; each reply by someone else is then one
email, through the same reserve-then-send delivery as digests and reminders. The
period key names the post, so a retried task never sends a reply twice. People who
chose the digest get these replies in the "Discussions you follow" section instead."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from communities.models import (
    CommunityRoleAssignment,
    DiscussionSubscription,
    Post,
    SubscriptionLevel,
)
from communities.permissions import CommunityPermission
from copcore.permissions import COMMUNITY_ROLE_PERMISSIONS
from copcore.rendering import plain_text
from notifications import delivery
from notifications.digest import load_people, preference
from notifications.messages import Composed
from notifications.models import FollowedReplies, Kind
from notifications.reminders import _email
from notifications.sections.base import Item, site_url

EXCERPT = 300


def followers(*, thread_id: int, workstream_id: int, community_id: int) -> set[int]:
    """People who follow the thread (its own choice first, else its workstream's) and
    whose roles today still let them read the CoP's discussions. Two queries."""
    with scopes_disabled():
        rows = DiscussionSubscription.objects.filter(thread_id=thread_id).values_list(
            "user_id", "level"
        )
        on_thread = dict(rows)
        on_workstream = dict(
            DiscussionSubscription.objects.filter(workstream_id=workstream_id).values_list(
                "user_id", "level"
            )
        )
        wanted = {u for u, level in on_thread.items() if level == SubscriptionLevel.FOLLOW}
        wanted |= {
            u
            for u, level in on_workstream.items()
            if level == SubscriptionLevel.FOLLOW and u not in on_thread
        }
        if not wanted:
            return set()
        roles = (
            CommunityRoleAssignment.objects.active_on(timezone.localdate())
            .filter(community_id=community_id, user_id__in=wanted)
            .values_list("user_id", "role")
        )
        return {
            u
            for u, role in roles
            if CommunityPermission.VIEW_DISCUSSIONS
            in COMMUNITY_ROLE_PERMISSIONS.get(role, frozenset())
        }


def compose_reply(post: Post) -> list[Composed]:
    """One email per follower who wants replies at once (never the post's author)."""
    if post.is_hidden:
        return []
    thread = post.thread
    community = thread.community
    ids = followers(
        thread_id=thread.pk, workstream_id=thread.workstream_id, community_id=community.pk
    )
    ids.discard(post.author_id or 0)
    composed = []
    for user in load_people(sorted(ids)):
        pref = preference(user)
        if pref.bouncing or pref.followed_replies != FollowedReplies.AT_ONCE:
            continue
        author = post.author.display_name if post.author else ""
        url = (
            site_url(
                "communities:thread_detail",
                org_slug=community.organization.slug,
                community_slug=community.slug,
                thread_id=thread.pk,
            )
            + f"#post-{post.pk}"
        )
        with translation.override(user.language), timezone.override(user.time_zone):
            excerpt = plain_text(post.body)[:EXCERPT] if pref.include_content else ""
            item = Item(
                title=thread.title, url=url, detail=excerpt, note=author, when=post.created_at
            )
            composed.append(
                _email(
                    Kind.FOLLOWED_REPLY,
                    user,
                    f"post-{post.pk}",
                    _("New reply in “%(title)s”") % {"title": thread.title},
                    _("%(person)s replied in a discussion you follow in %(community)s.")
                    % {"person": author, "community": community.name},
                    [item],
                    subject_params={"title": thread.title},
                )
            )
    return composed


def send_followed_reply(*, post_id: int) -> delivery.Outcome:
    """Compose and deliver the at-once emails for one reply (idempotent)."""
    with scopes_disabled():
        post = (
            Post.objects.select_related("thread__community__organization", "author")
            .filter(pk=post_id)
            .first()
        )
    if post is None:
        return delivery.Outcome()
    return delivery.deliver(compose_reply(post))
