"""Uploading a session's transcript (the session page shows it, with a search-within)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from sessions import access, services
from sessions.forms import TranscriptForm
from sessions.permissions import SessionPermission as SP
from sessions.services.cases import IDENTIFYING_TEXT
from sessions.views.common import _session, _session_url


@require_http_methods(["GET", "POST"])
def transcript_upload(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = TranscriptForm(request.POST or None, request.FILES or None)
    identifying = False
    if request.method == "POST" and form.is_valid():
        try:
            services.transcript_upload(
                actor=request.user,
                session=session,
                upload=form.cleaned_data["file"],
                confirmed_deidentified=form.cleaned_data["confirm_deidentified"],
            )
        except ValidationError as error:
            identifying = (
                any(e.code == IDENTIFYING_TEXT for e in error.error_dict.get("file", []))
                if hasattr(error, "error_dict")
                else False
            )
            add_service_errors(form, error)
        else:
            messages.success(request, _("The transcript has been saved."))
            return redirect(_session_url(session, "transcript"))
    return render(
        request,
        "sessions/transcript_form.html",
        {"community": community, "session": session, "form": form, "identifying": identifying},
        status=400 if form.errors else 200,
    )
