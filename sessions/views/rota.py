"""The facilitator rota: assigning a facilitator and answering swap requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from sessions import access, selectors, services
from sessions.forms import (
    FacilitatorForm,
    SwapRequestForm,
)
from sessions.permissions import SessionPermission as SP
from sessions.views.common import (
    _error_message,
    _participants,
    _render_detail,
    _session,
    _session_url,
)

# --- facilitators -----------------------------------------------------------------


@require_POST
def facilitator(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    """Managers set the facilitator; the facilitator asks someone to swap."""
    community, session = _session(request, community_slug, session_id)
    people = _participants(community)
    if request.POST.get("action") == "set":
        access.require(request.user, SP.MANAGE_SESSIONS, community)
        set_form = FacilitatorForm(request.POST, people=people)
        if set_form.is_valid():
            services.facilitator_set(
                actor=request.user,
                session=session,
                facilitator=set_form.cleaned_data["facilitator"],
            )
            messages.success(request, _("The facilitator has been set."))
        else:
            messages.error(request, _("Choose a facilitator from the list."))
        return redirect(_session_url(session, "facilitator"))
    access.require(request.user, SP.ATTEND, community)
    if session.facilitator_id != request.user.pk:
        raise PermissionDenied
    form = SwapRequestForm(
        request.POST,
        people=people.exclude(pk=request.user.pk),
        sessions=selectors.swap_sessions(session=session),
    )
    if form.is_valid():
        try:
            services.swap_request_create(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your swap request has been sent."))
            return redirect(_session_url(session, "facilitator"))
    return _render_detail(request, community, session.pk, swap_form=form)


@require_POST
def swap_respond(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int, swap_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    swap = selectors.swap_get(session=session, swap_id=swap_id)
    action = request.POST.get("action")
    if request.user.pk not in (swap.proposed_id, swap.requested_by_id):
        raise PermissionDenied
    try:
        if action == "withdraw":
            services.swap_request_withdraw(actor=request.user, swap=swap)
            messages.success(request, _("The swap request has been withdrawn."))
        else:
            services.swap_request_respond(actor=request.user, swap=swap, accept=action == "accept")
            messages.success(
                request,
                _("You are now the facilitator.")
                if action == "accept"
                else _("You have declined the swap."),
            )
    except ValidationError as error:
        _error_message(request, error)
    return redirect(_session_url(session, "facilitator"))


@require_GET
def my_swaps(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """Swap requests waiting for the signed-in person's answer."""
    swaps = selectors.swaps_awaiting(organization=request.organization, user=request.user)
    return render(request, "sessions/my_swaps.html", {"swaps": swaps})
