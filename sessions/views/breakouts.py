"""Breakout rooms: manual or random allocation and each room's notes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from sessions import access, selectors, services
from sessions.forms import (
    BreakoutManualForm,
    BreakoutNotesForm,
    BreakoutRandomForm,
)
from sessions.permissions import SessionPermission as SP
from sessions.views.common import _participants, _session

# --- breakouts -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def breakouts(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    rights = access.rights(request.user, community)
    groups = selectors.breakout_groups(session=session)
    current = {m.user_id: g.position + 1 for g in groups for m in g.members.all()}
    attendees = selectors.breakout_candidates(session=session)
    people = _participants(community)
    random_form = BreakoutRandomForm(request.POST if "random" in request.POST else None)
    manual_form = BreakoutManualForm(
        request.POST if "manual" in request.POST else None, people=people, current=current
    )
    if request.method == "POST":
        access.require(request.user, SP.MANAGE_SESSIONS, community)
        try:
            if "random" in request.POST and random_form.is_valid():
                groups_made = services.random_groups(
                    attendees, random_form.cleaned_data["group_count"]
                )
                services.breakouts_split(actor=request.user, session=session, groups=groups_made)
                messages.success(request, _("Attendees have been split into groups at random."))
                return redirect(request.path)
            if "manual" in request.POST and manual_form.is_valid():
                services.breakouts_split(
                    actor=request.user, session=session, groups=manual_form.groups()
                )
                messages.success(request, _("The groups have been saved."))
                return redirect(request.path)
        except ValidationError as error:
            add_service_errors(random_form if "random" in request.POST else manual_form, error)
    return render(
        request,
        "sessions/breakouts.html",
        {
            "community": community,
            "session": session,
            "groups": groups,
            "attendees": attendees,
            "random_form": random_form,
            "manual_form": manual_form,
            "notes_forms": {
                g.pk: BreakoutNotesForm(initial={"notes": g.notes}, prefix=f"g{g.pk}")
                for g in groups
            },
            **rights,
        },
    )


@require_POST
def breakout_notes(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int, group_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    group = selectors.breakout_group_get(session=session, group_id=group_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = BreakoutNotesForm(request.POST, prefix=f"g{group.pk}")
    if form.is_valid():
        services.breakout_notes_update(
            actor=request.user, group=group, notes=form.cleaned_data["notes"]
        )
        messages.success(
            request, _("The notes of %(group)s have been saved.") % {"group": group.name}
        )
    return redirect(
        reverse(
            "sessions:breakouts",
            kwargs={
                "org_slug": org_slug,
                "community_slug": community_slug,
                "session_id": session_id,
            },
        )
    )
