"""The sepsis CoP's rhythm: a monthly ECHO clinic since the launch and weekly office
hours, with case presentations, attendance, polls, decisions and action items; the
next sessions are always ahead (a later run generates them and keeps items due)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from communities.models import Community
from copcore.demo.clock import days_ago, days_ahead, moment, today
from copcore.demo.people import (
    CONVENER,
    EXPERT,
    FACILITATOR,
    MEMBER,
    MODERATOR,
    NURSE,
    PHARMACIST,
    SPONSOR,
    STEWARD,
    Cast,
)
from knowledge.models import TestOfChange
from sessions import services as sessions
from sessions.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceResponse,
    Session,
    SessionKind,
    SessionSeries,
)

ECHO = "Sepsis ECHO clinic"
OFFICE_HOURS = "Sepsis office hours"
ZONE = "Europe/London"
TRIALS = ["a named night lead", "a travelling screen", "simulation"]
REGULARS = [CONVENER, MODERATOR, FACILITATOR, STEWARD, MEMBER, NURSE, PHARMACIST, EXPERT]
CASES = [
    (
        "Rising NEWS2 overnight on an acute mental-health ward",
        "An adult admitted with psychosis had a NEWS2 rising from 3 to 6 over the night; "
        "the screen was positive at 04:00 and the first dose given at 06:10.",
        "What would have prompted an earlier screen? Who can give the first dose at night?",
        "Screen at every observation round; name a night lead; grab bag on the ward.",
    ),
    (
        "Possible sepsis in a person declining observations",
        "A person with severe depression declined observations for two days and became "
        "unwell; staff were unsure whether consent rules allowed a screen.",
        "How do we balance consent and safety? What does the capacity assessment need?",
        "Document capacity; involve the family; escalate early to the medical team.",
    ),
    (
        "Delayed antibiotics after transfer between sites",
        "A patient transferred from the community team to the acute hospital waited "
        "ninety minutes for antibiotics because the screen was not handed over.",
        "Should the screen travel with the patient? Who owns the handover?",
        "",
    ),
]


def _now() -> dt.datetime:
    """Today's midnight: runs on the same day generate exactly the same sessions."""
    return moment(today(), 0)


def _second_tuesday(month_first: dt.date) -> dt.date:
    offset = (1 - month_first.weekday()) % 7
    return month_first + dt.timedelta(days=offset + 7)


def _series(cast: Cast, community: Community) -> tuple[SessionSeries, SessionSeries]:
    found = {s.title: s for s in SessionSeries.objects.filter(community=community)}
    if ECHO not in found:
        start = days_ago(360).replace(day=1)
        first = _second_tuesday(start)
        found[ECHO] = sessions.series_create(
            actor=cast[FACILITATOR], community=community, title=ECHO,
            kind=SessionKind.ALL_HANDS, rrule="FREQ=MONTHLY;BYDAY=2TU", time_zone=ZONE,
            first_date=first, start_time=dt.time(12, 30), duration_minutes=75,
            video_link="https://meet.example.org/northshore-sepsis-echo",
            description="A case from a site, questions, recommendations, a short teaching.",
            rota=[cast[FACILITATOR], cast[MODERATOR], cast[CONVENER]],
            now=moment(first, 0),
        )  # fmt: skip
    if OFFICE_HOURS not in found:
        first = days_ago(120)
        first += dt.timedelta(days=(3 - first.weekday()) % 7)  # a Thursday
        found[OFFICE_HOURS] = sessions.series_create(
            actor=cast[FACILITATOR], community=community, title=OFFICE_HOURS,
            kind=SessionKind.OFFICE_HOURS, rrule="FREQ=WEEKLY;BYDAY=TH", time_zone=ZONE,
            first_date=first, start_time=dt.time(16, 0), duration_minutes=45,
            video_link="https://meet.example.org/northshore-sepsis-office-hours",
            rota=[cast[FACILITATOR], cast[STEWARD]], now=moment(first, 0),
        )  # fmt: skip
    for series in found.values():
        # Generate in steps from the first session up to six months from today.
        step = moment(series.first_date, 0)
        while step < _now():
            sessions.occurrences_generate(series=series, now=step)
            step += sessions.GENERATE_AHEAD - dt.timedelta(days=7)
        sessions.occurrences_generate(series=series, now=_now())
    return found[ECHO], found[OFFICE_HOURS]


def _attendance(cast: Cast, past: list[Session]) -> None:
    marked = set(
        Attendance.objects.filter(session__in=past, attended__isnull=False).values_list(
            "session_id", flat=True
        )
    )
    for index, session in enumerate(past):
        if session.pk in marked:
            continue
        people = [cast[p] for p in REGULARS]
        absent = people[(index % 5) + 3 :: 4] if session.kind == SessionKind.ALL_HANDS else []
        present = [p for p in people if p not in absent]
        if session.kind == SessionKind.OFFICE_HOURS:
            present = present[index % 3 : index % 3 + 3]
        sessions.attendance_mark(
            actor=session.facilitator or cast[FACILITATOR],
            session=session,
            attended=present,
            absent=absent,
        )


def _record(cast: Cast, session: Session, number: int) -> None:
    """A past clinic's record: the case, a poll, a decision."""
    title, summary, questions, recommendations = CASES[number % len(CASES)]
    sessions.case_create(
        actor=cast[FACILITATOR], session=session,
        presenter=cast[[NURSE, MEMBER, PHARMACIST][number % 3]],
        title=title, case_summary=summary, questions=questions,
        recommendations=recommendations, site=cast.sites[["NGH", "HSC", "SBH"][number % 3]],
    )  # fmt: skip
    poll = sessions.poll_create(
        actor=cast[FACILITATOR], session=session,
        question="Which change should every site test next?",
        options=["Night lead named on every shift", "Screen travels with the patient",
                 "Simulation training"],
    )  # fmt: skip
    options = list(poll.options.values_list("pk", flat=True))
    for index, persona in enumerate(REGULARS[1:]):
        sessions.poll_vote(actor=cast[persona], poll=poll, option_ids=[options[index % 3]])
    sessions.poll_set_open(actor=cast[FACILITATOR], poll=poll, is_open=False)
    sessions.decision_record(
        actor=cast[FACILITATOR], session=session, owner=cast[CONVENER],
        text=f"Every site tests “{TRIALS[number % 3]}” before the next clinic.",
    )  # fmt: skip
    sessions.session_update_record(
        actor=cast[FACILITATOR], session=session,
        summary=f"Case: {title}. The group recommended: {recommendations or 'see the poll'}.",
        recording_link="https://video.example.org/northshore/echo-recordings",
    )  # fmt: skip


# The last clinic's transcript (a WebVTT file as Teams exports it: speakers in voice tags).
TRANSCRIPT = """WEBVTT

00:00:04.000 --> 00:00:09.000
<v Mei Chen>Welcome to the clinic. Today we hear how the wards got on.</v>

00:03:12.000 --> 00:03:20.000
<v Tom Becker>Fetching stock is still where the first hour goes at night.</v>

00:07:41.000 --> 00:07:52.000
<v Olivia Grant>Since we put a grab bag on each ward, the first dose goes in
about 25 minutes sooner.</v>

00:08:05.000 --> 00:08:14.000
<v Mei Chen>So the grab bag works at NGH. Can SBH try it before asking for funding?</v>

00:12:30.000 --> 00:12:38.000
<v Amara Okafor>Agreed: every site tests the grab bag and reports at the next clinic.</v>
"""


def _transcript(cast: Cast, session: Session) -> None:
    """A transcript on the last past clinic, the moment it decided on grab bags cited."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sessions.models import Transcript, TranscriptCue

    if Transcript.objects.filter(session=session).exists():
        return
    upload = SimpleUploadedFile("echo-clinic.vtt", TRANSCRIPT.encode(), "text/vtt")
    sessions.transcript_upload(actor=cast[FACILITATOR], session=session, upload=upload)
    moment = TranscriptCue.objects.filter(transcript__session=session).order_by("-position")[0]
    sessions.decision_record(
        actor=cast[FACILITATOR], session=session, owner=cast[CONVENER], cue=moment,
        text="Every site tests the grab bag and reports at the next clinic.",
    )  # fmt: skip


def _action_items(cast: Cast, community: Community, latest: Session) -> None:
    member = cast[MEMBER]
    if not ActionItem.objects.filter(community=community).exists():
        test = TestOfChange.objects.filter(community=community, status="running").first()
        items = [
            (MEMBER, "Share the ward prompt card in the knowledge base", days_ago(4), None),
            (STEWARD, "Correct the double-counted transfers", days_ahead(10), None),
            (PHARMACIST, "Report the SBH grab-bag cycle at the next clinic", days_ahead(20), test),
            (FACILITATOR, "Book the simulation suite for night nurses", days_ago(30), None),
        ]  # fmt: skip
        for persona, description, due_on, linked in items:
            item = sessions.action_item_create(
                actor=cast[FACILITATOR], session=latest, owner=cast[persona],
                description=description, due_on=due_on, test_of_change=linked,
            )  # fmt: skip
            if persona is FACILITATOR:
                sessions.action_item_set_status(
                    actor=cast[FACILITATOR], item=item, status=ActionStatus.DONE
                )
    due_soon = ActionItem.objects.filter(
        owner=member,
        status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
        due_on__gte=today(),
        due_on__lte=days_ahead(7),
    )
    if not due_soon.exists():
        sessions.action_item_create(
            actor=cast[FACILITATOR], session=latest, owner=member,
            description="Bring the night-huddle audit to office hours", due_on=days_ahead(5),
        )  # fmt: skip


def _upcoming(cast: Cast, echo: SessionSeries, office: SessionSeries) -> None:
    now = timezone.now()
    for series in (echo, office):
        upcoming = Session.objects.filter(series=series, starts_at__gt=now).order_by("starts_at")
        following = upcoming.first()
        if following is None:
            continue
        for persona in (MEMBER, NURSE, SPONSOR if series is echo else STEWARD):
            if not Attendance.objects.filter(session=following, user=cast[persona]).exists():
                sessions.attendance_respond(
                    actor=cast[persona],
                    session=following,
                    response=AttendanceResponse.REGISTERED,
                )
        if series is echo and not following.agenda:
            sessions.session_update_record(
                actor=cast[FACILITATOR], session=following,
                agenda="1. Case from Harbour Street Clinic\n2. Grab bags at SBH: first results\n"
                "3. Teaching: sepsis in people who decline observations",
            )  # fmt: skip
            if not following.cases.exists():
                title, summary, questions, _recommendations = CASES[2]
                sessions.case_create(
                    actor=cast[MEMBER], session=following, presenter=cast[MEMBER],
                    title=title, case_summary=summary, questions=questions,
                    site=cast.sites["HSC"],
                )  # fmt: skip


def rhythm(cast: Cast, community: Community) -> None:
    echo, office = _series(cast, community)
    now = timezone.now()
    past = list(
        Session.objects.filter(community=community, starts_at__lt=now).order_by("starts_at")
    )
    _attendance(cast, past)
    clinics = [s for s in past if s.series_id == echo.pk]
    for number, session in enumerate(clinics[-3:]):
        if not session.cases.exists():
            _record(cast, session, len(clinics) + number)
    if clinics:
        _action_items(cast, community, clinics[-1])
        _transcript(cast, clinics[-1])
    _upcoming(cast, echo, office)
