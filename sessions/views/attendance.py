"""Attendance: replies before a meeting, the register after it, and its CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.spreadsheet import CsvWriter
from sessions import access, selectors, services
from sessions.forms import (
    AttendanceMarkForm,
    AttendanceReplyForm,
)
from sessions.permissions import SessionPermission as SP
from sessions.views.common import _error_message, _session, _session_url

# --- attendance -------------------------------------------------------------------


@require_POST
def attendance_reply(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.ATTEND, community)
    form = AttendanceReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to register or to send apologies."))
    else:
        try:
            services.attendance_respond(
                actor=request.user, session=session, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("Your reply has been saved."))
    return redirect(_session_url(session, "attendance"))


@require_http_methods(["GET", "POST"])
def attendance_record(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.RECORD_ATTENDANCE, community)
    replies = list(selectors.attendance_for_export(session=session))
    people = selectors.attendance_people(community=community, replies=replies)
    form = AttendanceMarkForm(
        request.POST or None,
        people=people,
        initial={"attended": [a.user_id for a in replies if a.attended]},
    )
    started = session.starts_at <= timezone.now()
    if request.method == "POST" and form.is_valid():
        attended = list(form.cleaned_data["attended"])
        absent = [p for p in people if p not in attended]
        try:
            services.attendance_mark(
                actor=request.user, session=session, attended=attended, absent=absent
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance has been recorded."))
            return redirect(_session_url(session, "attendance"))
    return render(
        request,
        "sessions/attendance_record.html",
        {
            "community": community,
            "session": session,
            "form": form,
            "replies": replies,
            "started": started,
        },
    )


@require_GET
def attendance_csv(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.RECORD_ATTENDANCE, community)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="attendance-{community.slug}-{session.pk}.csv"'
    )
    writer = CsvWriter(response)
    writer.writerow(["session", "session_start_utc", "name", "email", "reply", "attended"])
    start = session.starts_at.strftime("%Y-%m-%dT%H:%MZ")
    for row in selectors.attendance_for_export(session=session):
        attended = {True: "yes", False: "no", None: ""}[row.attended]
        writer.writerow(
            [
                session.title,
                start,
                row.user.display_name,
                row.user.email,
                row.response,
                attended,
            ]
        )
    return response
