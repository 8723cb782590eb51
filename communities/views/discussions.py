"""Workstreams, threads and posts, moderation (pin, lock, close, flags) and escalations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.forms import (
    EscalationForm,
    EscalationUpdateForm,
    FlagForm,
    FlagResolveForm,
    PostEditForm,
    PostForm,
    ThreadCloseForm,
    ThreadForm,
    ThreadTagsForm,
    WorkstreamForm,
)
from communities.models import Post
from communities.permissions import CommunityPermission as P
from communities.views import reading
from communities.views.common import Loaded, load, message_from
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.pagination import page_of

POSTS_PER_PAGE = reading.POSTS_PER_PAGE


def _thread_url(org_slug: str, community, thread_id: int):
    return redirect(
        "communities:thread_detail",
        org_slug=org_slug,
        community_slug=community.slug,
        thread_id=thread_id,
    )


def _workstream_create(
    request: OrganizationRequest, loaded: Loaded
) -> tuple[WorkstreamForm, HttpResponse | None]:
    form = WorkstreamForm(request.POST or None)
    if request.method == "POST":
        loaded.require(P.MANAGE_WORKSTREAMS)
        if form.is_valid():
            try:
                workstream = services.workstream_create(
                    actor=request.user, community=loaded.community, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The workstream has been created."))
                return form, redirect(
                    "communities:workstream_detail",
                    org_slug=request.organization.slug,
                    community_slug=loaded.community.slug,
                    workstream_id=workstream.pk,
                )
    return form, None


@require_http_methods(["GET", "POST"])
def workstreams(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The CoP's workstreams and latest discussions. The creation form has its own page;
    a POST here (its old address) still creates."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    if request.method == "POST":
        form, done = _workstream_create(request, loaded)
        return done or render(
            request, "communities/workstream_form.html", loaded.context(form=form)
        )
    return render(
        request,
        "communities/workstreams.html",
        loaded.context(
            workstreams=selectors.workstreams(community=loaded.community, user=request.user),
            recent=selectors.threads(community=loaded.community, user=request.user)[:10],
        ),
    )


@require_http_methods(["GET", "POST"])
def workstream_create(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """Open a workstream: its own page, for those who manage workstreams."""
    loaded = load(request, community_slug, need=P.MANAGE_WORKSTREAMS)
    form, done = _workstream_create(request, loaded)
    return done or render(request, "communities/workstream_form.html", loaded.context(form=form))


@require_http_methods(["GET", "POST"])
def workstream_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str, workstream_id: int
) -> HttpResponse:
    """A channel: its threads (filterable by tag) and the form to start one."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    community = loaded.community
    workstream = selectors.workstream_get(community=community, pk=workstream_id)
    allowed_tags = selectors.tags_allowed(community=community)
    form = ThreadForm(request.POST or None, request.FILES or None, allowed_tags=allowed_tags)
    if request.method == "POST":
        loaded.require(P.POST)
        if form.is_valid():
            try:
                thread = services.thread_create(
                    actor=request.user,
                    workstream=workstream,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    tags=list(form.cleaned_data["tags"]),
                    attachments=[form.cleaned_data["attachment"]],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The discussion has been started."))
                return _thread_url(org_slug, community, thread.pk)
    tag = request.GET.get("tag", "")[:60]
    page, query = page_of(
        request,
        selectors.threads(community=community, workstream=workstream, tag=tag, user=request.user),
        30,
    )
    return render(
        request,
        "communities/workstream_detail.html",
        loaded.context(
            workstream=workstream,
            workstream_subscription=reading.workstream_subscription(
                user=request.user, workstream=workstream
            ),
            page=page,
            query=query,
            form=form,
            tag=tag,
        ),
    )


@require_http_methods(["GET", "POST"])
def thread_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    """A discussion with its posts and replies, the reply form and moderator tools."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    community = loaded.community
    thread = selectors.thread_get(community=community, pk=thread_id)
    reply_to = request.GET.get("reply_to", "")
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        initial={"parent": reply_to if reply_to.isdigit() else None},
    )
    if request.method == "POST":
        loaded.require(P.POST)
        if form.is_valid():
            parent = None
            if form.cleaned_data["parent"]:
                parent = Post.objects.filter(thread=thread, pk=form.cleaned_data["parent"]).first()
            try:
                post = services.post_create(
                    actor=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    moderator=loaded.can(P.MODERATE),
                    attachments=[form.cleaned_data["attachment"]],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your reply has been posted."))
                last_page = (thread.post_count + 1 + POSTS_PER_PAGE - 1) // POSTS_PER_PAGE
                response = _thread_url(org_slug, community, thread.pk)
                response["Location"] += f"?page={last_page}#post-{post.pk}"
                return response
    is_moderator = loaded.can(P.MODERATE)
    tags_form = None
    if is_moderator:
        allowed_tags = selectors.tags_allowed(community=community)
        if allowed_tags.exists():
            tags_form = ThreadTagsForm(
                allowed_tags=allowed_tags, initial={"tags": list(thread.tags.all())}
            )
    can_reply = (
        loaded.can(P.POST)
        and not thread.is_closed
        and (not thread.is_locked or is_moderator)
        and not community.is_archived
    )
    page, query = page_of(
        request, selectors.posts(thread=thread, user=request.user), POSTS_PER_PAGE
    )
    place = reading.place_in_thread(request, thread=thread, page=page)
    answer_page_query = ""
    if thread.accepted_answer is not None:
        answer_page_query = f"page={reading.page_of_post(thread.accepted_answer)}"
    return render(
        request,
        "communities/thread_detail.html",
        loaded.context(
            thread=thread,
            page=page,
            query=query,
            form=form,
            can_reply=can_reply,
            tags_form=tags_form,
            place=place,
            answer_page_query=answer_page_query,
            can_accept=services.can_accept_answer(
                actor=request.user, thread=thread, moderator=is_moderator
            )
            and not community.is_archived,
        ),
    )


@require_POST
def thread_moderate(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    """Pin, unpin, lock, unlock or reopen (closing has its own page for the summary)."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    thread = selectors.thread_get(community=loaded.community, pk=thread_id)
    loaded.require(P.MODERATE)
    action = request.POST.get("action", "")
    actions = {
        "pin": lambda: services.thread_pin(actor=request.user, thread=thread, pinned=True),
        "unpin": lambda: services.thread_pin(actor=request.user, thread=thread, pinned=False),
        "lock": lambda: services.thread_lock(actor=request.user, thread=thread, locked=True),
        "unlock": lambda: services.thread_lock(actor=request.user, thread=thread, locked=False),
        "reopen": lambda: services.thread_reopen(actor=request.user, thread=thread),
    }
    if action not in actions:
        messages.error(request, _("Unknown moderation action."))
    else:
        try:
            actions[action]()
        except ValidationError as error:
            message_from(request, error)
        else:
            messages.success(request, _("Done."))
    return _thread_url(org_slug, loaded.community, thread.pk)


@require_http_methods(["GET", "POST"])
def thread_close(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    """Close a discussion with the required closing summary."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    thread = selectors.thread_get(community=loaded.community, pk=thread_id)
    loaded.require(P.MODERATE)
    form = ThreadCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.thread_close(
                actor=request.user, thread=thread, summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The discussion has been closed."))
            return _thread_url(org_slug, loaded.community, thread.pk)
    return render(
        request, "communities/thread_close.html", loaded.context(thread=thread, form=form)
    )


@require_POST
def thread_tags(
    request: OrganizationRequest, org_slug: str, community_slug: str, thread_id: int
) -> HttpResponse:
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    thread = selectors.thread_get(community=loaded.community, pk=thread_id)
    loaded.require(P.MODERATE)
    form = ThreadTagsForm(
        request.POST, allowed_tags=selectors.tags_allowed(community=loaded.community)
    )
    if not form.is_valid():
        messages.error(request, _("Use only the tags this community allows."))
    else:
        try:
            services.thread_tags_set(
                actor=request.user, thread=thread, tags=list(form.cleaned_data["tags"])
            )
        except ValidationError as error:
            message_from(request, error)
        else:
            messages.success(request, _("The tags have been saved."))
    return _thread_url(org_slug, loaded.community, thread.pk)


@require_http_methods(["GET", "POST"])
def post_edit(
    request: OrganizationRequest, org_slug: str, community_slug: str, post_id: int
) -> HttpResponse:
    """The author edits their post; earlier texts stay in its history."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    post = selectors.post_get(community=loaded.community, pk=post_id)
    loaded.require(P.POST)
    if post.author_id != request.user.pk:
        raise PermissionDenied
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(actor=request.user, post=post, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your post has been updated."))
            response = _thread_url(org_slug, loaded.community, post.thread_id)
            response["Location"] += f"#post-{post.pk}"
            return response
    return render(request, "communities/post_edit.html", loaded.context(post=post, form=form))


@require_GET
def post_history(
    request: OrganizationRequest, org_slug: str, community_slug: str, post_id: int
) -> HttpResponse:
    """Every saved text of a post, newest first."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    post = selectors.post_get(community=loaded.community, pk=post_id)
    if post.is_hidden and not loaded.can(P.MODERATE):
        raise PermissionDenied
    return render(
        request,
        "communities/post_history.html",
        loaded.context(post=post, revisions=list(selectors.post_revisions(post=post))),
    )


@require_http_methods(["GET", "POST"])
def post_flag(
    request: OrganizationRequest, org_slug: str, community_slug: str, post_id: int
) -> HttpResponse:
    """Report a post to the moderators with a reason."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    post = selectors.post_get(community=loaded.community, pk=post_id)
    loaded.require(P.POST)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_flag(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: the moderators will look at this post."))
            return _thread_url(org_slug, loaded.community, post.thread_id)
    return render(request, "communities/post_flag.html", loaded.context(post=post, form=form))


@require_GET
def moderation_queue(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    loaded = load(request, community_slug, need=P.MODERATE)
    return render(
        request,
        "communities/moderation.html",
        loaded.context(
            flags=list(selectors.moderation_queue(community=loaded.community)),
            form=FlagResolveForm(),
        ),
    )


@require_POST
def flag_resolve(
    request: OrganizationRequest, org_slug: str, community_slug: str, flag_id: int
) -> HttpResponse:
    loaded = load(request, community_slug, need=P.MODERATE)
    flag = selectors.flag_get(community=loaded.community, pk=flag_id)
    form = FlagResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to uphold or dismiss the flag."))
    else:
        try:
            services.flag_resolve(
                actor=request.user,
                flag=flag,
                uphold=form.cleaned_data["decision"] == "uphold",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            message_from(request, error)
        else:
            messages.success(request, _("The flag has been dealt with."))
    return redirect(
        "communities:moderation", org_slug=org_slug, community_slug=loaded.community.slug
    )


@require_http_methods(["GET", "POST"])
def escalations(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    form = EscalationForm(
        request.POST or None,
        people=selectors.people_of_organization(organization=request.organization),
    )
    if request.method == "POST":
        loaded.require(P.ESCALATE)
        if form.is_valid():
            try:
                services.escalation_create(
                    actor=request.user, community=loaded.community, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The escalation has been recorded."))
                return redirect(
                    "communities:escalations",
                    org_slug=org_slug,
                    community_slug=loaded.community.slug,
                )
    return render(
        request,
        "communities/escalations.html",
        loaded.context(form=form, escalations=selectors.escalations(community=loaded.community)),
    )


@require_http_methods(["GET", "POST"])
def escalation_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str, escalation_id: int
) -> HttpResponse:
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    escalation = selectors.escalation_get(community=loaded.community, pk=escalation_id)
    form = EscalationUpdateForm(
        request.POST or None,
        people=selectors.people_of_organization(organization=request.organization),
        initial={
            "status": escalation.status,
            "owner": escalation.owner_id,
            "outcome": escalation.outcome,
        },
    )
    if request.method == "POST":
        loaded.require(P.ESCALATE)
        if form.is_valid():
            try:
                services.escalation_update(
                    actor=request.user, escalation=escalation, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The escalation has been updated."))
                return redirect(request.path)
    return render(
        request,
        "communities/escalation_detail.html",
        loaded.context(escalation=escalation, form=form),
    )


@require_GET
def attachment_download(
    request: OrganizationRequest,
    org_slug: str,
    community_slug: str,
    post_id: int,
    attachment_id: int,
) -> HttpResponseBase:
    """Serve a post's attachment to someone who may read the discussion (a hidden post's
    files only to moderators), as a download with the detected content type."""
    from knowledge.uploads import file_download_response

    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    attachment = selectors.attachment_get(
        community=loaded.community, post_id=post_id, pk=attachment_id
    )
    if attachment.post.is_hidden and not loaded.can(P.MODERATE):
        raise PermissionDenied
    return file_download_response(
        attachment.file, file_name=attachment.original_name, content_type=attachment.content_type
    )
