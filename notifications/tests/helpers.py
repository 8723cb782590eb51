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
    return {
        "asset": asset,
        "test": failed,
        "note": note,
        "session": session,
        "action": action,
        "measure": measure,
    }
