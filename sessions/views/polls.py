"""Live polls: create, vote, open/close and the results fragment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from sessions import access, selectors, services
from sessions.forms import (
    PollForm,
    VoteForm,
)
from sessions.permissions import SessionPermission as SP
from sessions.views.common import _error_message, _render_detail, _session, _session_url

# --- polls ----------------------------------------------------------------------


@require_POST
def poll_create(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = PollForm(request.POST)
    if form.is_valid():
        try:
            services.poll_create(
                actor=request.user,
                session=session,
                question=form.cleaned_data["question"],
                options=form.option_list(),
                multiple_choice=form.cleaned_data["multiple_choice"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The poll is open."))
            return redirect(_session_url(session, "polls"))
    return _render_detail(request, community, session.pk, poll_form=form)


def _poll(request, community_slug, session_id, poll_id):
    community, session = _session(request, community_slug, session_id)
    return community, session, selectors.poll_get(session=session, poll_id=poll_id)


@require_POST
def poll_vote(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int, poll_id: int
) -> HttpResponse:
    community, session, poll = _poll(request, community_slug, session_id, poll_id)
    access.require(request.user, SP.ATTEND, community)
    form = VoteForm(request.POST, poll=poll, prefix=f"poll{poll.pk}")
    if not poll.is_open:
        messages.error(request, _("This poll is closed: votes are no longer accepted."))
        return redirect(_session_url(session, f"poll-{poll.pk}"))
    if not form.is_valid():
        return _render_detail(request, community, session.pk, **{f"vote_{poll.pk}": form})
    try:
        services.poll_vote(actor=request.user, poll=poll, option_ids=form.option_ids())
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Your vote has been counted."))
    return redirect(_session_url(session, f"poll-{poll.pk}"))


@require_POST
def poll_toggle(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int, poll_id: int
) -> HttpResponse:
    community, session, poll = _poll(request, community_slug, session_id, poll_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    is_open = request.POST.get("action") == "open"
    services.poll_set_open(actor=request.user, poll=poll, is_open=is_open)
    messages.success(request, _("The poll is open again.") if is_open else _("The poll is closed."))
    return redirect(_session_url(session, f"poll-{poll.pk}"))


@require_GET
def poll_results(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int, poll_id: int
) -> JsonResponse:
    """Live results for the page's script: counts only, never who chose what."""
    _community_, _session_, poll = _poll(request, community_slug, session_id, poll_id)
    response = JsonResponse(selectors.poll_results(poll))
    response["Cache-Control"] = "no-store"
    return response
