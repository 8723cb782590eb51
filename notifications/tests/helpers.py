"""Test data for the digest: a little of every app's content in community A, written
directly (read-only consumers should not depend on other apps' write paths' details)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from knowledge.models import Asset, AssetStatus, FieldNote, PredictionHeld, TestOfChange
from measurement.models import Measure, SiteEnrolment
from sessions.models import ActionItem, Attendance, AttendanceResponse, Session


def make_content(world, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    org, community = world.org_a, world.community_a
    with scope(organization=org):
        asset = Asset.objects.create(
            organization=org,
            community=community,
            kind=Asset.Kind.CHECKLIST,
            title="Sepsis screening checklist",
            summary="A one-page checklist for triage nurses.",
            owner=world.convener,
            status=AssetStatus.PUBLISHED,
            published_at=now - dt.timedelta(days=1),
            updated_at=now - dt.timedelta(days=1),
        )
        failed = TestOfChange.objects.create(
            organization=org,
            community=community,
            author=world.member,
            title="Lactate at triage",
            change_idea="Measure lactate at triage",
            study_results="Turnaround rose; the lab could not keep up.",
            prediction_held=PredictionHeld.NO,
            act_decision="abandon",
            updated_at=now - dt.timedelta(days=2),
        )
        note = FieldNote.objects.create(
            organization=org,
            community=community,
            author=world.member,
            title="Night shift handover",
            body="Handover misses the sepsis flag at night.",
            updated_at=now - dt.timedelta(days=3),
        )
        session = Session.objects.create(
            organization=org,
            community=community,
            title="Monthly learning session",
            kind="all_hands",
            starts_at=now + dt.timedelta(days=3),
            ends_at=now + dt.timedelta(days=3, hours=1),
            time_zone="UTC",
            agenda="Review of the screening data",
        )
        Attendance.objects.create(
            organization=org,
            session=session,
            user=world.member,
            response=AttendanceResponse.REGISTERED,
        )
        action = ActionItem.objects.create(
            organization=org,
            community=community,
            session=session,
            owner=world.member,
            description="Share the screening audit",
            due_on=now.date() - dt.timedelta(days=1),
        )
        measure = Measure.objects.create(
            organization=org,
            community=community,
            code="screened",
            name="Patients screened",
            kind=Measure.Kind.PROCESS,
            value_type=Measure.ValueType.PROPORTION,
            frequency=Measure.Frequency.MONTHLY,
            chart_type=Measure.ChartType.P,
            direction=Measure.Direction.UP,
        )
        SiteEnrolment.objects.create(
            organization=org,
            community=community,
            site=world.site_a,
            enrolled_on=now.date() - dt.timedelta(days=400),
        )
    discussions = make_discussions(world, now=now)
    return {
        **discussions,
        "asset": asset,
        "test": failed,
        "note": note,
        "session": session,
        "action": action,
        "measure": measure,
    }


def make_discussions(world, *, now: dt.datetime) -> dict:
    """A thread with new posts, a thread closed with its summary, a join request and a
    published charter nobody acknowledged yet."""
    from communities.models import CharterVersion, JoinRequest, Post, Thread, Workstream
    from copcore.testing import UserFactory, add_member

    org, community = world.org_a, world.community_a
    applicant = UserFactory(email="applicant@a.example", display_name="Ana Applicant")
    add_member(org, applicant)
    with scope(organization=org):
        workstream = Workstream.objects.create(
            organization=org, community=community, name="Screening"
        )
        busy = Thread.objects.create(
            organization=org,
            community=community,
            workstream=workstream,
            title="Who screens at night?",
            author=world.member,
        )
        for n in range(2):
            Post.objects.create(
                organization=org,
                community=community,
                thread=busy,
                author=world.member,
                body=f"Reply {n}",
                body_html=f"<p>Reply {n}</p>",
                created_at=now - dt.timedelta(hours=n + 1),
            )
        closed = Thread.objects.create(
            organization=org,
            community=community,
            workstream=workstream,
            title="Which screening tool?",
            author=world.convener,
            status=Thread.Status.CLOSED,
            closing_summary="We chose qSOFA for the emergency department.",
            closed_at=now - dt.timedelta(days=1),
        )
        join = JoinRequest.objects.create(
            organization=org,
            community=community,
            user=applicant,
            job_title="Charge nurse",
            motivation="To learn",
        )
        charter = CharterVersion.objects.create(organization=org, community=community, number=1)
    return {"thread": busy, "closed_thread": closed, "join_request": join, "charter": charter}
