"""Each person's place in the discussions: read state, follow and mute, the accepted
answer and "helpful" acknowledgements.

Read state, follows, mutes and helpful marks are a person's own choices about what
they read, so they are not audited (the audit log records what people do to the
organization's data); marking and unmarking an accepted answer changes what everyone
sees and is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import (
    DiscussionSubscription,
    Post,
    PostHelpful,
    SubscriptionLevel,
    Thread,
    ThreadReadState,
    Workstream,
)
from communities.services.roles import ensure_writable
from copcore.models import User
from copcore.services import audit_record

NO_CHOICE = "none"
LEVELS = (SubscriptionLevel.FOLLOW, SubscriptionLevel.MUTE, NO_CHOICE)


def thread_mark_read(
    *, user: User, thread: Thread, up_to: Post | None = None
) -> ThreadReadState | None:
    """Move the person's place in the thread forward to ``up_to`` (default: its latest
    post). Never moves it back, and writes nothing when nothing newer was seen, so
    opening a thread again costs one read. Returns the state (None: empty thread)."""
    if up_to is None:
        up_to = Post.objects.filter(thread=thread).order_by("-created_at", "-id").first()
        if up_to is None:
            return None
    state = ThreadReadState.objects.filter(thread=thread, user=user).first()
    if state is not None and state.last_read_at >= up_to.created_at:
        return state
    with transaction.atomic():
        state, created = ThreadReadState.objects.select_for_update().get_or_create(
            thread=thread,
            user=user,
            defaults={
                "organization_id": thread.organization_id,
                "community_id": thread.community_id,
                "last_read_post": up_to,
                "last_read_at": up_to.created_at,
            },
        )
        if not created and state.last_read_at < up_to.created_at:
            state.last_read_post = up_to
            state.last_read_at = up_to.created_at
            state.updated_at = timezone.now()
            state.save(update_fields=["last_read_post", "last_read_at", "updated_at"])
    return state


@transaction.atomic
def subscription_set(
    *,
    actor: User,
    level: str,
    thread: Thread | None = None,
    workstream: Workstream | None = None,
) -> DiscussionSubscription | None:
    """Follow or mute a thread or a workstream, or take the choice back (``"none"``)."""
    if (thread is None) == (workstream is None):
        raise ValueError("Pass exactly one of thread and workstream.")
    if level not in LEVELS:
        raise ValidationError({"level": _("Choose follow, mute or none.")})
    target = thread or workstream
    assert target is not None
    where = Q(thread=thread) if thread is not None else Q(workstream=workstream)
    existing = DiscussionSubscription.objects.filter(where, user=actor)
    if level == NO_CHOICE:
        existing.delete()
        return None
    subscription = existing.select_for_update().first()
    if subscription is None:
        subscription = DiscussionSubscription.objects.create(
            organization_id=target.organization_id,
            community_id=target.community_id,
            thread=thread,
            workstream=workstream,
            user=actor,
            level=level,
        )
    elif subscription.level != level:
        subscription.level = level
        subscription.save(update_fields=["level"])
    return subscription


def follow_by_default(*, user: User, thread: Thread) -> None:
    """Authors and repliers follow their thread, unless they already chose (a mute
    stays a mute)."""
    DiscussionSubscription.objects.bulk_create(
        [
            DiscussionSubscription(
                organization_id=thread.organization_id,
                community_id=thread.community_id,
                user=user,
                thread=thread,
                level=SubscriptionLevel.FOLLOW,
            )
        ],
        ignore_conflicts=True,
    )


def can_accept_answer(*, actor: User, thread: Thread, moderator: bool) -> bool:
    return moderator or (thread.author_id is not None and thread.author_id == actor.pk)


@transaction.atomic
def thread_answer_accept(*, actor: User, thread: Thread, post: Post, moderator: bool) -> Thread:
    """The thread's author or a moderator marks a reply as the answer to the question.
    Another member gets a 403 (PermissionDenied)."""
    ensure_writable(thread.community)
    if not can_accept_answer(actor=actor, thread=thread, moderator=moderator):
        raise PermissionDenied
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if post.thread_id != thread.pk:
        raise ValidationError({"post": _("The answer must be a reply in this discussion.")})
    first = Post.objects.filter(thread=thread).order_by("created_at", "id").first()
    if first is not None and first.pk == post.pk:
        raise ValidationError({"post": _("The question cannot be its own answer.")})
    if post.is_hidden:
        raise ValidationError({"post": _("A hidden post cannot be the answer.")})
    previous = thread.accepted_answer_id
    thread.accepted_answer = post
    thread.accepted_by = actor
    thread.accepted_at = timezone.now()
    thread.save(update_fields=["accepted_answer", "accepted_by", "accepted_at"])
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.answer_accepted",
        target=thread,
        data={"post": post.pk, "previous": previous},
    )
    return thread


@transaction.atomic
def thread_answer_clear(*, actor: User, thread: Thread, moderator: bool) -> Thread:
    """Take back the accepted answer (same people as marking it)."""
    ensure_writable(thread.community)
    if not can_accept_answer(actor=actor, thread=thread, moderator=moderator):
        raise PermissionDenied
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.accepted_answer_id is None:
        raise ValidationError(_("This discussion has no accepted answer."))
    previous = thread.accepted_answer_id
    thread.accepted_answer = None
    thread.accepted_by = None
    thread.accepted_at = None
    thread.save(update_fields=["accepted_answer", "accepted_by", "accepted_at"])
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.answer_unaccepted",
        target=thread,
        data={"post": previous},
    )
    return thread


@transaction.atomic
def post_helpful_set(*, actor: User, post: Post, helpful: bool) -> int:
    """Say a post was helpful (or take it back): once per person, never on one's own
    post. Returns the post's helpful count."""
    ensure_writable(post.community)
    if post.author_id == actor.pk:
        raise ValidationError(_("You cannot mark your own post as helpful."))
    if post.is_hidden:
        raise ValidationError(_("This post was hidden by a moderator."))
    if helpful:
        PostHelpful.objects.bulk_create(
            [
                PostHelpful(
                    organization_id=post.organization_id,
                    community_id=post.community_id,
                    post=post,
                    user=actor,
                )
            ],
            ignore_conflicts=True,
        )
    else:
        PostHelpful.objects.filter(post=post, user=actor).delete()
    return PostHelpful.objects.filter(post=post).count()
