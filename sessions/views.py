"""Session pages (mounted at /o/<org_slug>/) and the private calendar feed.

Thin: each view finds the community the viewer may see (else 404), checks the role
for the action (else 403), then calls a selector or a service. Every page works
without JavaScript; ``static/js/sessions.js`` only refreshes poll results.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from copcore.forms import add_service_errors
from copcore.pagination import page_of
from copcore.spreadsheet import neutralise
from measurement.selectors import sites_of_organization
from sessions import access, ics, selectors, services
from sessions.deidentify import find_in_fields
from sessions.forms import (
    ActionFilterForm,
    ActionItemForm,
    ActionStatusForm,
    AttendanceMarkForm,
    AttendanceReplyForm,
    BreakoutManualForm,
    BreakoutNotesForm,
    BreakoutRandomForm,
    CancelForm,
    CaseForm,
    DecisionForm,
    FacilitatorForm,
    PollForm,
    RecordForm,
    RotaForm,
    SeriesForm,
    SessionCreateForm,
    SessionSearchForm,
    SessionTimesForm,
    SwapRequestForm,
    VoteForm,
)
from sessions.models import AttendanceResponse, CasePresentation, Session, SessionKind
from sessions.permissions import SessionPermission as SP

# --- helpers ---------------------------------------------------------------------


def _community(request: HttpRequest, community_slug: str):
    return access.viewable_community(
        user=request.user, organization=request.organization, slug=community_slug
    )


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _session_url(session: Session, anchor: str = "") -> str:
    url = reverse(
        "sessions:session_detail",
        kwargs={
            "org_slug": session.organization.slug,
            "community_slug": session.community.slug,
            "session_id": session.pk,
        },
    )
    return f"{url}#{anchor}" if anchor else url


def _viewer_time_zone(request: HttpRequest) -> str:
    return getattr(request.user, "time_zone", "") or "UTC"


def _session_tz(session: Session) -> dt.tzinfo:
    """The session's own zone (the site's zone should a stored name be unknown)."""
    try:
        return zoneinfo.ZoneInfo(session.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _participants(community):
    """People who may attend, present, own items or facilitate: active role holders."""
    return selectors.community_people(community=community)


# --- lists and series -------------------------------------------------------------


@require_GET
def session_list(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
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
def series_create(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community(request, community_slug)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = SeriesForm(
        request.POST or None,
        people=_participants(community),
        initial={"time_zone": _viewer_time_zone(request)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            series = services.series_create(
                actor=request.user, community=community, **{**data, "rota": list(data["rota"])}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The series has been created and its sessions scheduled."))
            return redirect(
                "sessions:series_detail",
                org_slug=org_slug,
                community_slug=community.slug,
                series_id=series.pk,
            )
    return render(request, "sessions/series_form.html", {"community": community, "form": form})


@require_http_methods(["GET", "POST"])
def series_detail(
    request: HttpRequest, org_slug: str, community_slug: str, series_id: int
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
def session_create(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
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


# --- one session ------------------------------------------------------------------


def _detail_context(request: HttpRequest, community, session: Session, **forms) -> dict:
    rights = access.rights(request.user, community)
    people = _participants(community)
    my_reply = None
    for attendance in session.attendances.all():
        if attendance.user_id == request.user.pk:
            my_reply = attendance
    voted = selectors.polls_voted_by(session=session, user=request.user)
    polls = [
        {
            "poll": poll,
            "results": selectors.poll_results(poll),
            "has_voted": poll.pk in voted,
            "form": forms.get(f"vote_{poll.pk}") or VoteForm(poll=poll, prefix=f"poll{poll.pk}"),
        }
        for poll in session.polls.all()
    ]
    cases = [
        {"case": case, "can_edit": access.can_edit_case(request.user, case, rights)}
        for case in session.cases.all()
    ]
    context = {
        "community": community,
        "session": session,
        "my_reply": my_reply,
        "polls": polls,
        "cases": cases,
        "reply_form": AttendanceReplyForm(
            initial={"response": my_reply.response if my_reply else AttendanceResponse.REGISTERED}
        ),
        "pending_swaps": list(session.swap_requests.all()),
        "is_facilitator": session.facilitator_id == request.user.pk,
        "session_time_zone_differs": session.time_zone != _viewer_time_zone(request),
        "now": timezone.now(),
        **rights,
    }
    if rights["can_manage"]:
        context["decision_form"] = forms.get("decision_form") or DecisionForm(people=people)
        context["action_form"] = forms.get("action_form") or ActionItemForm(
            people=people, tests=selectors.tests_linkable(community=community)
        )
        context["poll_form"] = forms.get("poll_form") or PollForm()
        context["cancel_form"] = CancelForm()
        context["facilitator_form"] = FacilitatorForm(
            people=people, initial={"facilitator": session.facilitator_id}
        )
    if context["is_facilitator"] and rights["can_attend"]:
        context["swap_form"] = forms.get("swap_form") or SwapRequestForm(
            people=people.exclude(pk=request.user.pk),
            sessions=selectors.swap_sessions_offered(session=session, user=request.user),
        )
    return context


def _render_detail(request, community, session_id: int, status: int = 200, **forms):
    session = selectors.session_page(community=community, session_id=session_id)
    return render(
        request,
        "sessions/session_detail.html",
        _detail_context(request, community, session, **forms),
        status=status,
    )


@require_GET
def session_detail(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    return _render_detail(request, community, session_id)


def _session(request: HttpRequest, community_slug: str, session_id: int):
    community = _community(request, community_slug)
    return community, selectors.session_get(community=community, session_id=session_id)


@require_http_methods(["GET", "POST"])
def session_edit(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
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


@require_POST
def session_cancel(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    try:
        if request.POST.get("action") == "reinstate":
            services.session_reinstate(actor=request.user, session=session)
            messages.success(request, _("The session is scheduled again."))
        else:
            form = CancelForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.session_cancel(actor=request.user, session=session, reason=reason)
            messages.success(request, _("The session has been cancelled."))
    except ValidationError as error:
        _error_message(request, error)
    return redirect(_session_url(session))


@require_GET
def session_ics(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    body = ics.calendar_bytes([session], name=session.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --- facilitators -----------------------------------------------------------------


@require_POST
def facilitator(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    """Managers set the facilitator; the facilitator asks someone to swap."""
    community, session = _session(request, community_slug, session_id)
    people = _participants(community)
    if request.POST.get("action") == "set":
        access.require(request.user, SP.MANAGE_SESSIONS, community)
        form = FacilitatorForm(request.POST, people=people)
        if form.is_valid():
            services.facilitator_set(
                actor=request.user, session=session, facilitator=form.cleaned_data["facilitator"]
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int, swap_id: int
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
def my_swaps(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Swap requests waiting for the signed-in person's answer."""
    swaps = selectors.swaps_awaiting(organization=request.organization, user=request.user)
    return render(request, "sessions/my_swaps.html", {"swaps": swaps})


# --- attendance -------------------------------------------------------------------


@require_POST
def attendance_reply(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
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
    if request.method == "POST" and form.is_valid():
        attended = list(form.cleaned_data["attended"])
        absent = [p for p in people if p not in attended]
        services.attendance_mark(
            actor=request.user, session=session, attended=attended, absent=absent
        )
        messages.success(request, _("Attendance has been recorded."))
        return redirect(_session_url(session, "attendance"))
    return render(
        request,
        "sessions/attendance_record.html",
        {"community": community, "session": session, "form": form, "replies": replies},
    )


@require_GET
def attendance_csv(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.RECORD_ATTENDANCE, community)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="attendance-{community.slug}-{session.pk}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["session", "session_start_utc", "name", "email", "reply", "attended"])
    start = session.starts_at.strftime("%Y-%m-%dT%H:%MZ")
    for row in selectors.attendance_for_export(session=session):
        attended = {True: "yes", False: "no", None: ""}[row.attended]
        writer.writerow(
            [
                neutralise(session.title),
                start,
                neutralise(row.user.display_name),
                neutralise(row.user.email),
                row.response,
                attended,
            ]
        )
    return response


# --- ECHO cases ---------------------------------------------------------------------


def _case_form(request, community, *, case: CasePresentation | None = None):
    manage = access.can(request.user, SP.MANAGE_SESSIONS, community)
    data = request.POST if request.method == "POST" else None
    show_confirmation = bool(data and data.get("confirm_shown"))
    initial = {"presenter": request.user.pk}
    if case is not None:
        initial = {
            "presenter": case.presenter_id,
            "site": case.site_id,
            **{name: getattr(case, name) for name in services.CASE_TEXT_FIELDS},
        }
    return CaseForm(
        data,
        initial=initial,
        people=_participants(community),
        sites=sites_of_organization(organization=request.organization),
        presenter_fixed=None if manage else (case.presenter if case else request.user),
        show_confirmation=show_confirmation,
    )


def _case_save(request, community, session, form, case=None):
    """Save, or come back with the identifying-text warning and the confirmation box."""
    data = form.cleaned_data
    texts = {name: data[name] for name in services.CASE_TEXT_FIELDS}
    confirmed = bool(data.get("confirm_deidentified"))
    try:
        if case is None:
            return services.case_create(
                actor=request.user,
                session=session,
                presenter=data["presenter"],
                site=data["site"],
                confirmed_deidentified=confirmed,
                **texts,
            ), None
        return services.case_update(
            actor=request.user,
            case=case,
            site=data["site"],
            confirmed_deidentified=confirmed,
            **texts,
        ), None
    except ValidationError as error:
        if services.is_identifying_text_error(error):
            return None, find_in_fields(texts)
        add_service_errors(form, error)
        return None, None


@require_http_methods(["GET", "POST"])
def case_create(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.ATTEND, community)
    return _casepage_of(request, community, session, None)


@require_http_methods(["GET", "POST"])
def case_edit(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int, case_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    case = selectors.case_get(session=session, case_id=case_id)
    if not access.can_edit_case(request.user, case, access.rights(request.user, community)):
        raise PermissionDenied
    return _casepage_of(request, community, session, case)


def _casepage_of(request, community, session, case):
    form = _case_form(request, community, case=case)
    findings = None
    if request.method == "POST":
        texts = {name: request.POST.get(name, "") for name in services.CASE_TEXT_FIELDS}
        findings = find_in_fields(texts) or None
        if findings and "confirm_deidentified" not in form.fields:
            # From now on the form carries the explicit confirmation box.
            data = request.POST.copy()
            data["confirm_shown"] = "1"
            request.POST = data
            form = _case_form(request, community, case=case)
        if form.is_valid():
            saved, refused = _case_save(request, community, session, form, case)
            if saved is not None:
                messages.success(request, _("The case presentation has been saved."))
                return redirect(_session_url(session, "cases"))
            findings = refused or findings
    return render(
        request,
        "sessions/case_form.html",
        {
            "community": community,
            "session": session,
            "case": case,
            "form": form,
            "findings": findings,
        },
    )


# --- polls ----------------------------------------------------------------------


@require_POST
def poll_create(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int, poll_id: int
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int, poll_id: int
) -> HttpResponse:
    community, session, poll = _poll(request, community_slug, session_id, poll_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    is_open = request.POST.get("action") == "open"
    services.poll_set_open(actor=request.user, poll=poll, is_open=is_open)
    messages.success(request, _("The poll is open again.") if is_open else _("The poll is closed."))
    return redirect(_session_url(session, f"poll-{poll.pk}"))


@require_GET
def poll_results(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int, poll_id: int
) -> JsonResponse:
    """Live results for the page's script: counts only, never who chose what."""
    _community_, _session_, poll = _poll(request, community_slug, session_id, poll_id)
    response = JsonResponse(selectors.poll_results(poll))
    response["Cache-Control"] = "no-store"
    return response


# --- breakouts -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def breakouts(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int, group_id: int
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


# --- decisions and action items ------------------------------------------------------


@require_POST
def decision_create(
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = DecisionForm(request.POST, people=_participants(community))
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
    request: HttpRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.MANAGE_SESSIONS, community)
    form = ActionItemForm(
        request.POST,
        people=_participants(community),
        tests=selectors.tests_linkable(community=community),
    )
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
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
    request: HttpRequest, org_slug: str, community_slug: str, item_id: int
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
def community_actions(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
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
def my_actions(request: HttpRequest, org_slug: str) -> HttpResponse:
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


# --- calendars ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The person's private feed: create or reset (the URL is shown once) or revoke."""
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(user=request.user)
            messages.success(request, _("Your calendar feed has been switched off."))
            return redirect("sessions:calendar_settings", org_slug=org_slug)
        token = services.feed_token_reset(user=request.user)
        feed_url = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": token}))
    return render(
        request,
        "sessions/calendar_settings.html",
        {"feed_url": feed_url, "has_feed": selectors.has_feed_token(user=request.user)},
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no login (calendar clients cannot log in); the secret in
    the URL is the credential. An unknown or revoked token is a plain 404."""
    user = selectors.feed_user(token_hash=services.feed_token_hash(token))
    if user is None:
        raise Http404
    sessions = selectors.feed_sessions(user=user)
    body = ics.calendar_bytes(sessions, name=_("CoP sessions"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
