"""Decisions and action items: recording them and the community and personal action lists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.pagination import page_of
from sessions import access, selectors, services
from sessions.forms import (
    ActionFilterForm,
    ActionItemForm,
    ActionStatusForm,
    DecisionForm,
)
from sessions.permissions import SessionPermission as SP
from sessions.views.common import (
    _community,
    _cues,
    _participants,
    _render_detail,
    _session,
    _session_url,
)

# --- decisions and action items ------------------------------------------------------


@require_POST
def decision_create(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = DecisionForm(request.POST, people=_participants(community), cues=_cues(session))
    if form.is_valid():
        try:
            services.decision_record(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect(_session_url(session, "decisions"))
    return _render_detail(request, community, session.pk, decision_form=form)


@require_POST
def action_item_create(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = ActionItemForm(
        request.POST,
        people=_participants(community),
        tests=selectors.tests_linkable(community=community),
        cues=_cues(session),
    )
    if form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if v is not None and k != "confirm_past_due"
        }
        try:
            services.action_item_create(actor=request.user, session=session, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action item has been recorded."))
            return redirect(_session_url(session, "actions"))
    return _render_detail(request, community, session.pk, action_form=form)


@require_POST
def action_item_status(
    request: OrganizationRequest, org_slug: str, community_slug: str, item_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    item = selectors.action_item_get(community=community, item_id=item_id)
    if not access.can_update_action_item(request.user, item, community):
        raise PermissionDenied
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_item_set_status(
            actor=request.user, item=item, status=form.cleaned_data["status"]
        )
        messages.success(request, _("The status has been updated."))
    else:
        messages.error(request, _("Choose a status from the list."))
    next_url = request.POST.get("next", "")
    if next_url.startswith(f"/o/{org_slug}/") and "//" not in next_url:
        return redirect(next_url)
    return redirect("sessions:community_actions", org_slug=org_slug, community_slug=community_slug)


@require_GET
def community_actions(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    community = _community(request, community_slug)
    form = ActionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    owner_id = request.GET.get("owner")
    items = selectors.action_items_for_community(
        community=community,
        status=filters.get("status", ""),
        overdue=bool(filters.get("overdue")),
        owner_id=int(owner_id) if owner_id and owner_id.isdigit() else None,
    )
    page, query = page_of(request, items, 50)
    manage = access.can(request.user, SP.MANAGE_SESSIONS, community)
    return render(
        request,
        "sessions/action_items.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "query": query,
            "can_manage": manage,
            "status_form": ActionStatusForm(),
            "heading": _("Action items of %(community)s") % {"community": community.name},
            "today": timezone.localdate(),
        },
    )


@require_GET
def my_actions(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    form = ActionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.action_items_for_person(
        organization=request.organization,
        user=request.user,
        status=filters.get("status", ""),
        overdue=bool(filters.get("overdue")),
    )
    page, query = page_of(request, items, 50)
    return render(
        request,
        "sessions/action_items.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "mine": True,
            "status_form": ActionStatusForm(),
            "heading": _("My action items"),
            "today": timezone.localdate(),
        },
    )
