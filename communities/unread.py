"""Selectors for each person's place in the discussions: unread counts on threads and
workstreams, the first unread post, follow/mute state, helpful counts.

Everything is an annotation (correlated subqueries), so a list of threads or
workstreams costs the same number of queries whatever its length.

A post is unread for a person when it is visible (not hidden), not their own, and
newer than where they stopped reading the thread; a thread they never opened has all
its posts unread."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from communities.models import (
    DiscussionSubscription,
    Post,
    PostHelpful,
    Thread,
    ThreadReadState,
    Workstream,
)
from copcore.models import User


def _read_at(user: User, thread_ref: str = "thread_id") -> Subquery:
    return Subquery(
        ThreadReadState.objects.filter(thread=OuterRef(thread_ref), user=user).values(
            "last_read_at"
        )[:1]
    )


def _unread_filter(qs: QuerySet[Post], user: User) -> QuerySet[Post]:
    return (
        qs.filter(is_hidden=False)
        .exclude(author=user)
        .annotate(read_at=_read_at(user))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
    )


def _count(qs: QuerySet[Any], group: str) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values(group).annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _level(user: User, **where) -> Subquery:
    return Subquery(DiscussionSubscription.objects.filter(user=user, **where).values("level")[:1])


def with_place(threads: QuerySet[Thread], *, user: User) -> QuerySet[Thread]:
    """Annotate ``unread_count``, ``never_read`` and ``subscription`` (the person's
    effective choice: ``follow``, ``mute`` or None; the thread's own choice wins over
    its workstream's)."""
    unread = _unread_filter(Post.objects.filter(thread=OuterRef("pk")), user)
    return threads.annotate(
        unread_count=_count(unread, "thread"),
        never_read=~Exists(ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user)),
        subscription=Coalesce(
            _level(user, thread=OuterRef("pk")),
            _level(user, workstream=OuterRef("workstream_id")),
        ),
    )


def workstreams_with_place(
    workstreams: QuerySet[Workstream], *, user: User
) -> QuerySet[Workstream]:
    """Annotate ``unread_count`` (unread posts in the workstream's threads the person
    has not muted) and ``subscription`` (the person's choice on the workstream)."""
    muted_threads = DiscussionSubscription.objects.filter(
        user=user, thread__isnull=False, level="mute"
    ).values("thread_id")
    unread = _unread_filter(
        Post.objects.filter(thread__workstream=OuterRef("pk")).exclude(thread_id__in=muted_threads),
        user,
    )
    return workstreams.annotate(
        unread_count=_count(unread, "thread__workstream"),
        subscription=_level(user, workstream=OuterRef("pk")),
    )


def first_unread_post(*, thread: Thread, user: User) -> Post | None:
    """The first post of the thread the person has not read (None: all read)."""
    return (
        _unread_filter(Post.objects.filter(thread=thread), user)
        .order_by("created_at", "id")
        .first()
    )


def position_of(*, post: Post) -> int:
    """How many posts come before ``post`` in its thread (for the page it is on)."""
    return (
        Post.objects.filter(thread_id=post.thread_id)
        .filter(Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.pk))
        .count()
    )


def posts_with_helpful(posts: QuerySet[Post], *, user: User) -> QuerySet[Post]:
    """Annotate ``helpful_count`` and ``helpful_mine`` (whether ``user`` marked it)."""
    return posts.annotate(
        helpful_count=_count(PostHelpful.objects.filter(post=OuterRef("pk")), "post"),
        helpful_mine=Exists(PostHelpful.objects.filter(post=OuterRef("pk"), user=user)),
    )


def subscription_of(*, user: User, thread: Thread) -> str | None:
    """The person's effective choice on a thread (its own, else its workstream's)."""
    own, inherited = None, None
    for thread_id, level in (
        DiscussionSubscription.objects.filter(user=user)
        .filter(Q(thread=thread) | Q(workstream_id=thread.workstream_id))
        .values_list("thread_id", "level")
    ):
        if thread_id == thread.pk:
            own = level
        else:
            inherited = level
    return own or inherited
