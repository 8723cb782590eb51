"""Pages and actions that keep each person's place in the discussions: the "new since
your last visit" marker and read state, the jump to the first unread post, follow and
mute, the accepted answer and "helpful"."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities import selectors, services, unread
from communities.models import SubscriptionLevel, Thread, ThreadReadState, Workstream
from communities.permissions import CommunityPermission as P
from communities.views.common import load, message_from
from copcore.http import OrganizationRequest

POSTS_PER_PAGE = 100
MARKER_ID = "new-since-last-visit"


@dataclass
class Place:
    """Where the reader was: the first post on this page they had not read (the marker
    goes before it; only for people who had visited before) and their follow/mute."""

    first_unread_id: int | None
    subscription: str | None


def place_in_thread(request: OrganizationRequest, *, thread: Thread, page: Page) -> Place:
    """Find the marker position from the reader's previous place, then move their place
    to the last post shown (no write when nothing newer was shown)."""
    user = request.user
    state = ThreadReadState.objects.filter(thread=thread, user=user).first()
    shown = list(page)
    first_unread_id = None
    if state is not None:
        for post in shown:
            if (
                not post.is_hidden
                and post.author_id != user.pk
                and post.created_at > state.last_read_at
            ):
                first_unread_id = post.pk
                break
    if shown:
        latest = max(shown, key=lambda p: (p.created_at, p.pk))
        if state is None or state.last_read_at < latest.created_at:
            services.thread_mark_read(user=user, thread=thread, up_to=latest)
    return Place(
        first_unread_id=first_unread_id,
        subscription=unread.subscription_of(user=user, thread=thread),
    )


def page_of_post(post) -> int:
    """The page of its thread a post is on."""
    return unread.position_of(post=post) // POSTS_PER_PAGE + 1


def workstream_subscription(*, user, workstream: Workstream) -> str | None:
    from communities.models import DiscussionSubscription

    return (
        DiscussionSubscription.objects.filter(user=user, workstream=workstream)
        .values_list("level", flat=True)
        .first()
    )


def _back(request: OrganizationRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (same site only), else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _thread_path(org_slug: str, community_slug: str, thread_id: int) -> str:
    from django.urls import reverse

    return reverse(
        "communities:thread_detail",
        kwargs={"org_slug": org_slug, "community_slug": community_slug, "thread_id": thread_id},
    )


@require_GET
def thread_unread(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    """Jump to the first post the reader has not read, on the page it is on."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    thread = selectors.thread_get(community=loaded.community, pk=thread_id)
    path = _thread_path(org_slug, loaded.community.slug, thread.pk)
    first = unread.first_unread_post(thread=thread, user=request.user)
    if first is None:
        last_page = max(1, (thread.post_count + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE)
        return redirect(f"{path}?page={last_page}")
    page = page_of_post(first)
    visited = ThreadReadState.objects.filter(thread=thread, user=request.user).exists()
    anchor = MARKER_ID if visited else f"post-{first.pk}"
    return redirect(f"{path}?page={page}#{anchor}")


def _subscription_message(level: str) -> str:
    if level == SubscriptionLevel.FOLLOW:
        return _("You follow this now.")
    if level == SubscriptionLevel.MUTE:
        return _("Muted: it will not notify you.")
    return _("You neither follow nor mute this any more.")


@require_POST
def thread_subscription(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    """Follow, mute or reset a thread (``level`` = follow, mute or none)."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    thread = selectors.thread_get(community=loaded.community, pk=thread_id)
    level = request.POST.get("level", "")
    try:
        services.subscription_set(actor=request.user, thread=thread, level=level)
    except ValidationError as error:
        message_from(request, error)
    else:
        messages.success(request, _subscription_message(level))
    return _back(request, _thread_path(org_slug, loaded.community.slug, thread.pk))


@require_POST
def workstream_subscription_set(
    request: OrganizationRequest, org_slug: str, community_slug: str, workstream_id: int
) -> HttpResponse:
    """Follow, mute or reset a whole workstream."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    workstream = selectors.workstream_get(community=loaded.community, pk=workstream_id)
    level = request.POST.get("level", "")
    try:
        services.subscription_set(actor=request.user, workstream=workstream, level=level)
    except ValidationError as error:
        message_from(request, error)
    else:
        messages.success(request, _subscription_message(level))
    from django.urls import reverse

    return _back(
        request,
        reverse(
            "communities:workstream_detail",
            kwargs={
                "org_slug": org_slug,
                "community_slug": loaded.community.slug,
                "workstream_id": workstream.pk,
            },
        ),
    )


@require_POST
def thread_answer(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    """Mark a reply as the accepted answer (``post``) or take it back (``clear``): the
    thread's author or a moderator; anyone else who can read gets a 403."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    thread = selectors.thread_get(community=loaded.community, pk=thread_id)
    moderator = loaded.can(P.MODERATE)
    path = _thread_path(org_slug, loaded.community.slug, thread.pk)
    try:
        if request.POST.get("clear"):
            services.thread_answer_clear(actor=request.user, thread=thread, moderator=moderator)
            messages.success(request, _("The accepted answer has been taken back."))
            return redirect(path)
        post_id = request.POST.get("post", "")
        post = selectors.post_get(
            community=loaded.community, pk=int(post_id) if post_id.isdigit() else 0
        )
        services.thread_answer_accept(
            actor=request.user, thread=thread, post=post, moderator=moderator
        )
    except ValidationError as error:
        message_from(request, error)
        return redirect(path)
    messages.success(request, _("The reply has been marked as the answer."))
    return redirect(f"{path}#accepted-answer")


@require_POST
def post_helpful(
    request: OrganizationRequest, org_slug: str, community_slug: str, post_id: int
) -> HttpResponse:
    """Say a post was helpful, or take it back (``helpful`` = 1 or 0)."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    post = selectors.post_get(community=loaded.community, pk=post_id)
    loaded.require(P.POST)
    helpful = request.POST.get("helpful", "1") == "1"
    try:
        services.post_helpful_set(actor=request.user, post=post, helpful=helpful)
    except ValidationError as error:
        message_from(request, error)
    path = _thread_path(org_slug, loaded.community.slug, post.thread_id)
    return _back(request, f"{path}#post-{post.pk}")
