"""Helpers the session pages share: the community and session a viewer may see, the detail page's
context, time zones."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from copcore.http import OrganizationRequest
from sessions import access, selectors
from sessions.forms import (
    ActionItemForm,
    AttendanceReplyForm,
    CancelForm,
    DecisionForm,
    FacilitatorForm,
    PollForm,
    SwapRequestForm,
    TranscriptSearchForm,
    VoteForm,
)
from sessions.models import AttendanceResponse, Session, TranscriptCue

# --- helpers ---------------------------------------------------------------------


def _community(request: OrganizationRequest, community_slug: str):
    return access.viewable_community(
        user=request.user, organization=request.organization, slug=community_slug
    )


def _error_message(request: OrganizationRequest, error: ValidationError) -> None:
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


def _viewer_time_zone(request: OrganizationRequest) -> str:
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


# --- one session ------------------------------------------------------------------


def _detail_context(request: OrganizationRequest, community, session: Session, **forms) -> dict:
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
    search_form = TranscriptSearchForm(request.GET or None)
    query = search_form.cleaned_data["tq"] if search_form.is_valid() else ""
    context.update(selectors.transcript_view(session=session, query=query))
    context["transcript_search_form"] = search_form
    context["transcript_query"] = query
    if rights["can_manage"]:
        cues = _cues(session)
        context["decision_form"] = forms.get("decision_form") or DecisionForm(
            people=people, cues=cues
        )
        context["action_form"] = forms.get("action_form") or ActionItemForm(
            people=people, tests=selectors.tests_linkable(community=community), cues=cues
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


def _cues(session: Session):
    """The moments a decision or action item may cite (None without a transcript)."""
    cues = TranscriptCue.objects.filter(transcript__session=session).order_by("position")
    return cues if cues.exists() else None


def _render_detail(request, community, session_id: int, status: int = 200, /, **forms):
    session = selectors.session_page(community=community, session_id=session_id)
    return render(
        request,
        "sessions/session_detail.html",
        _detail_context(request, community, session, **forms),
        status=status,
    )


def _session(request: OrganizationRequest, community_slug: str, session_id: int):
    community = _community(request, community_slug)
    return community, selectors.session_get(community=community, session_id=session_id)
