"""The sepsis CoP's discussions as each person left them: the member has unread posts
(one thread read up to an older reply, so the "New since your last visit" marker shows),
a question has an accepted answer, and a few posts carry "helpful" acknowledgements.

Runs after ``sepsis.discussions``. The services stamp read states with the present, so
the member's places are set here to the story's past, after the posts were backdated."""

from __future__ import annotations

from communities import services as communities
from communities.models import Community, Post, PostHelpful, Thread, ThreadReadState, Workstream
from copcore.demo.clock import backdate, days_ago, moment
from copcore.demo.people import (
    CONVENER,
    EXPERT,
    MEMBER,
    MODERATOR,
    NURSE,
    STEWARD,
    Cast,
)

ANSWERED = "First dose before the blood cultures?"
ANSWER_START = "No: take them if you can"
GRAB_BAG_START = "Since NGH added grab bags"
# thread title -> read up to the post written this many days ago (or earlier)
MEMBER_READ_UP_TO = {
    "Which screening tool for mental-health wards?": 295,
    ANSWERED: 12,
    "Antibiotic stock on the wards": 190,
    "Night-shift recognition: what are we missing?": 43,
}


def places(cast: Cast, community: Community) -> None:
    _accepted_answer(cast, community)
    _helpful(cast, community)
    _member_places(cast, community)
    data = Workstream.objects.filter(community=community, name="Data and measurement").first()
    if data is not None:
        communities.subscription_set(actor=cast[MEMBER], workstream=data, level="follow")


def _accepted_answer(cast: Cast, community: Community) -> None:
    thread = Thread.objects.filter(community=community, title=ANSWERED).first()
    answer = Post.objects.filter(community=community, body__startswith=ANSWER_START).first()
    if thread is None or answer is None or thread.accepted_answer_id == answer.pk:
        return
    communities.thread_answer_accept(actor=cast[NURSE], thread=thread, post=answer, moderator=False)
    backdate(Thread.objects.filter(pk=thread.pk), accepted_at=moment(days_ago(9), 16))


def _helpful(cast: Cast, community: Community) -> None:
    marks = [
        (ANSWER_START, [NURSE, CONVENER, STEWARD]),
        (GRAB_BAG_START, [EXPERT, MODERATOR]),
    ]
    for start, personas in marks:
        post = Post.objects.filter(community=community, body__startswith=start).first()
        if post is None:
            continue
        for persona in personas:
            if not PostHelpful.objects.filter(post=post, user=cast[persona]).exists():
                communities.post_helpful_set(actor=cast[persona], post=post, helpful=True)


def _member_places(cast: Cast, community: Community) -> None:
    member = cast[MEMBER]
    for title, ago in MEMBER_READ_UP_TO.items():
        thread = Thread.objects.filter(community=community, title=title).first()
        if thread is None:
            continue
        last = (
            Post.objects.filter(thread=thread, created_at__lte=moment(days_ago(ago), 23, 59))
            .order_by("-created_at", "-id")
            .first()
        )
        if last is None:
            continue
        ThreadReadState.objects.update_or_create(
            thread=thread,
            user=member,
            defaults={
                "organization": community.organization,
                "community": community,
                "last_read_post": last,
                "last_read_at": last.created_at,
                "updated_at": last.created_at,
            },
        )
    # Threads the member never opened keep no place: all their posts are new to them.
    ThreadReadState.objects.filter(community=community, user=member).exclude(
        thread__title__in=list(MEMBER_READ_UP_TO)
    ).delete()
