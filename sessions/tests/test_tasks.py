"""The daily generation task on a real Celery worker and the real Redis."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django_scopes import scope

from sessions import services
from sessions.models import Session, SessionKind
from sessions.tasks import generate_occurrences

pytestmark = pytest.mark.integration


def test_worker_regenerates_missing_occurrences_idempotently(world, celery_worker_real):
    with scope(organization=world.org_a):
        series = services.series_create(
            actor=world.convener,
            community=world.community_a,
            title="Weekly office hours",
            kind=SessionKind.OFFICE_HOURS,
            rrule="FREQ=WEEKLY;BYDAY=TH",
            time_zone="Europe/Lisbon",
            first_date=dt.date.today() + dt.timedelta(days=1),
            start_time=dt.time(12, 30),
        )
        full = Session.objects.filter(series=series).count()
        latest = list(
            Session.objects.filter(series=series)
            .order_by("-starts_at")
            .values_list("pk", flat=True)[:2]
        )
        Session.objects.filter(pk__in=latest).delete()

    generate_occurrences.delay()
    generate_occurrences.delay()  # a duplicate run must not create duplicates
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline:
        with scope(organization=world.org_a):
            count = Session.objects.filter(series=series).count()
        if count == full:
            break
        time.sleep(0.5)
    time.sleep(1)
    with scope(organization=world.org_a):
        assert Session.objects.filter(series=series).count() == full
        starts = list(
            Session.objects.filter(series=series).values_list("occurrence_start", flat=True)
        )
    assert len(starts) == len(set(starts))
