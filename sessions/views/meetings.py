"""Series and meetings: the list, creating a series or a meeting, the detail page, edit, move,
cancel and the .ics download."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.pagination import page_of
from sessions import access, ics, recurrence_builder, selectors, services
from sessions.forms import (
    CancelForm,
    RecordForm,
    RotaForm,
    SeriesForm,
    SessionCreateForm,
    SessionSearchForm,
    SessionTimesForm,
)
from sessions.models import SessionKind
from sessions.permissions import SessionPermission as SP
from sessions.views.common import (
    _community,
    _error_message,
    _participants,
    _render_detail,
    _session,
    _session_tz,
    _session_url,
    _viewer_time_zone,
)

# --- lists and series -------------------------------------------------------------


@require_GET
def session_list(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community(request, community_slug)
    form = SessionSearchForm(request.GET or None)
    q, when = "", "upcoming"
    if form.is_valid():
        q = form.cleaned_data["q"]
        when = form.cleaned_data["when"] or ("all" if q else "upcoming")
    sessions = selectors.sessions_for_community(community=community, q=q, when=when)
    page, query = page_of(request, sessions, 25)
    return render(
        request,
        "sessions/session_list.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "query": query,
            "q": q,
            "when": when,
            "series_list": selectors.series_for_community(community=community),
            **access.rights(request.user, community),
        },
    )


@require_http_methods(["GET", "POST"])
def series_create(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community(request, community_slug)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = SeriesForm(
        request.POST or None,
        people=_participants(community),
        initial={"time_zone": _viewer_time_zone(request)},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "preview":
            preview = recurrence_builder.preview(
                rule=data["rrule"],
                time_zone=data["time_zone"],
                first_date=data["first_date"],
                start_time=data["start_time"],
                today=timezone.localdate(timezone=zoneinfo.ZoneInfo(data["time_zone"])),
            )
        else:
            try:
                series = services.series_create(
                    actor=request.user, community=community, **form.series_data()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("The series has been created and its sessions scheduled.")
                )
                return redirect(
                    "sessions:series_detail",
                    org_slug=org_slug,
                    community_slug=community.slug,
                    series_id=series.pk,
                )
    return render(
        request,
        "sessions/series_form.html",
        {
            "community": community,
            "form": form,
            "preview": preview,
            "preview_time_zone": form.cleaned_data.get("time_zone") if preview is not None else "",
        },
    )


@require_http_methods(["GET", "POST"])
def series_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str, series_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    series = selectors.series_get(community=community, series_id=series_id)
    rights = access.rights(request.user, community)
    current = {entry.user_id: entry.position + 1 for entry in series.rota.all()}
    form = RotaForm(request.POST or None, people=_participants(community), current=current)
    if request.method == "POST":
        access.require(request.user, SP.MANAGE_SESSIONS, community)
        action = request.POST.get("action", "rota")
        if action == "generate":
            created = services.occurrences_generate(series=series)
            messages.success(
                request,
                _("%(n)d new sessions scheduled.") % {"n": created},
            )
            return redirect(request.path)
        if action == "end":
            services.series_deactivate(actor=request.user, series=series)
            messages.success(request, _("The series has ended; no new sessions will be made."))
            return redirect(request.path)
        if form.is_valid():
            try:
                services.series_rota_set(
                    actor=request.user, series=series, rota=form.ordered_people()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The rota has been saved."))
                return redirect(request.path)
    return render(
        request,
        "sessions/series_detail.html",
        {
            "community": community,
            "series": series,
            "rota": series.rota.all(),
            "upcoming": selectors.series_upcoming(series=series),
            "form": form,
            **rights,
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    community = _community(request, community_slug)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = SessionCreateForm(
        request.POST or None,
        people=_participants(community),
        initial={"time_zone": _viewer_time_zone(request), "kind": SessionKind.HUDDLE},
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        data = form.cleaned_data
        try:
            session = services.session_create(
                actor=request.user,
                community=community,
                title=data["title"],
                kind=data["kind"],
                starts_at=starts_at,
                ends_at=ends_at,
                time_zone=data["time_zone"],
                video_link=data["video_link"],
                agenda=data["agenda"],
                facilitator=data["facilitator"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"ends_at": "end_time", "starts_at": "start_time"})
        else:
            messages.success(request, _("The session has been added."))
            return redirect(_session_url(session))
    return render(
        request,
        "sessions/session_form.html",
        {"community": community, "form": form, "heading": _("Add a one-off session")},
    )


@require_GET
def session_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    return _render_detail(request, community, session_id)


@require_http_methods(["GET", "POST"])
def session_edit(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    introductory = session.kind == SessionKind.INTRODUCTORY
    initial = {name: getattr(session, name) for name in services.SESSION_RECORD_FIELDS}
    form = RecordForm(request.POST or None, initial=initial, introductory=introductory)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update_record(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The session record has been saved."))
            return redirect(_session_url(session))
    return render(
        request,
        "sessions/session_edit.html",
        {"community": community, "session": session, "form": form},
    )


@require_http_methods(["GET", "POST"])
def session_move(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    local_start = timezone.localtime(session.starts_at, _session_tz(session))
    local_end = timezone.localtime(session.ends_at, _session_tz(session))
    form = SessionTimesForm(
        request.POST or None,
        initial={
            "day": local_start.date(),
            "start_time": local_start.time(),
            "end_time": local_end.time(),
            "time_zone": session.time_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.session_move(
                actor=request.user, session=session, starts_at=starts_at, ends_at=ends_at
            )
        except ValidationError as error:
            add_service_errors(form, error, {"ends_at": "end_time"})
        else:
            messages.success(request, _("The session has been moved."))
            return redirect(_session_url(session))
    return render(
        request,
        "sessions/session_form.html",
        {
            "community": community,
            "session": session,
            "form": form,
            "heading": _("Move “%(title)s”") % {"title": session.title},
        },
    )


@require_http_methods(["GET", "POST"])
def session_cancel(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    """Cancelling asks first: a page says what will happen and asks for the reason
    members will read (recorded in the audit event). Scheduling a cancelled session
    again is its undo and acts at once."""
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    if request.method == "POST" and request.POST.get("action") == "reinstate":
        try:
            services.session_reinstate(actor=request.user, session=session)
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("The session is scheduled again."))
        return redirect(_session_url(session))
    if session.is_cancelled:
        messages.info(request, _("This session is already cancelled."))
        return redirect(_session_url(session))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The session has been cancelled. You can schedule it again from its page."),
            )
            return redirect(_session_url(session))
    return render(
        request,
        "sessions/session_cancel.html",
        {
            "community": community,
            "session": session,
            "form": form,
            "registered": selectors.registered_count(session=session),
        },
    )


@require_GET
def session_ics(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    body = ics.calendar_bytes([session], name=session.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response
