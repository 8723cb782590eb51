"""Recurrence in the series' time zone, generation ahead, and bad rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from copcore.models import AuditEvent
from sessions import recurrence, services
from sessions.models import Session, SessionKind, SessionSeries, SessionStatus
from sessions.tasks import generate_occurrences

UTC = dt.UTC


def _starts(rule, tz, first, time, until):
    return [
        o.starts_at
        for o in recurrence.occurrences(
            rule_text=rule, time_zone=tz, first_date=first, start_time=time, until=until
        )
    ]


def test_first_tuesday_stays_at_local_time_across_the_uk_clock_change():
    starts = _starts(
        "FREQ=MONTHLY;BYDAY=1TU",
        "Europe/London",
        dt.date(2026, 1, 6),
        dt.time(18, 0),
        dt.datetime(2026, 11, 30, tzinfo=UTC),
    )
    # GMT (UTC+0) until 29 March 2026, BST (UTC+1) until 25 October 2026.
    assert starts[:4] == [
        dt.datetime(2026, 1, 6, 18, 0, tzinfo=UTC),
        dt.datetime(2026, 2, 3, 18, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 3, 18, 0, tzinfo=UTC),
        dt.datetime(2026, 4, 7, 17, 0, tzinfo=UTC),
    ]
    assert dt.datetime(2026, 10, 6, 17, 0, tzinfo=UTC) in starts
    assert dt.datetime(2026, 11, 3, 18, 0, tzinfo=UTC) in starts
    london = [s.astimezone(recurrence.time_zone_or_error("Europe/London")) for s in starts]
    assert {(t.hour, t.minute) for t in london} == {(18, 0)}
    assert all(t.weekday() == 1 and t.day <= 7 for t in london)


def test_weekly_series_in_new_york_keeps_its_hour_when_us_clocks_change():
    starts = _starts(
        "FREQ=WEEKLY;BYDAY=MO",
        "America/New_York",
        dt.date(2026, 3, 2),
        dt.time(9, 30),
        dt.datetime(2026, 3, 17, tzinfo=UTC),
    )
    # US daylight saving time starts on 8 March 2026: EST (UTC-5) -> EDT (UTC-4).
    assert starts == [
        dt.datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 9, 13, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 16, 13, 30, tzinfo=UTC),
    ]


def test_until_may_be_given_in_utc_or_local_time():
    args = (
        "Europe/London",
        dt.date(2026, 1, 6),
        dt.time(18, 0),
        dt.datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert len(_starts("FREQ=WEEKLY;UNTIL=20260120T235959Z", *args)) == 3
    assert len(_starts("RRULE:FREQ=WEEKLY;UNTIL=20260120T230000", *args)) == 3


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "every tuesday",
        "FREQ=MONTHLY;BYDAY=XX",
        "FREQ=FORTNIGHTLY",
        "FREQ=HOURLY",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
    ],
)
def test_rules_that_cannot_be_used_are_refused_with_a_message(rule):
    with pytest.raises(ValidationError) as error:
        recurrence.build_rule(
            rule_text=rule, time_zone="UTC", first_date=dt.date(2026, 1, 1), start_time=dt.time(9)
        )
    assert "rrule" in error.value.message_dict
    assert error.value.message_dict["rrule"][0]


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError) as error:
        recurrence.time_zone_or_error("Mars/Olympus_Mons")
    assert "time_zone" in error.value.message_dict


def _series(world, **overrides):
    data = {
        "title": "Monthly ECHO clinic",
        "kind": SessionKind.ALL_HANDS,
        "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "time_zone": "Europe/London",
        "first_date": dt.date(2026, 1, 6),
        "start_time": dt.time(18, 0),
        "duration_minutes": 90,
        "now": dt.datetime(2026, 1, 1, tzinfo=UTC),
    }
    data.update(overrides)
    return services.series_create(actor=world.convener, community=world.community_a, **data)


def test_series_generates_six_months_ahead_and_generation_is_idempotent(scope_a):
    world = scope_a
    series = _series(world)
    sessions = list(Session.objects.filter(series=series).order_by("starts_at"))
    assert len(sessions) == 6  # January to June 2026 (horizon: 1 Jan + 183 days)
    assert sessions[0].ends_at - sessions[0].starts_at == dt.timedelta(minutes=90)
    assert sessions[3].starts_at == dt.datetime(2026, 4, 7, 17, 0, tzinfo=UTC)
    assert [s.occurrence_index for s in sessions] == list(range(6))

    again = services.occurrences_generate(series=series, now=dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert again == 0
    assert Session.objects.filter(series=series).count() == 6


def test_moved_and_cancelled_occurrences_are_not_recreated(scope_a):
    world = scope_a
    series = _series(world)
    first, second = Session.objects.filter(series=series).order_by("starts_at")[:2]
    services.session_move(
        actor=world.convener,
        session=first,
        starts_at=first.starts_at + dt.timedelta(days=1),
        ends_at=first.ends_at + dt.timedelta(days=1),
    )
    services.session_cancel(actor=world.convener, session=second, reason="Bank holiday")
    created = services.occurrences_generate(series=series, now=dt.datetime(2026, 1, 1, tzinfo=UTC))
    assert created == 0
    second.refresh_from_db()
    assert second.status == SessionStatus.CANCELLED
    assert second.sequence == 1
    assert Session.objects.filter(series=series).count() == 6


def test_later_runs_extend_the_horizon(scope_a):
    world = scope_a
    series = _series(world)
    created = services.occurrences_generate(series=series, now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert created == 2  # July and August 2026
    assert Session.objects.filter(series=series).count() == 8


def test_bad_rule_creates_nothing(scope_a):
    world = scope_a
    with pytest.raises(ValidationError):
        _series(world, rrule="FREQ=MONTHLY;BYDAY=1XX")
    assert not SessionSeries.objects.exists()
    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(verb="sessions.series_created").exists()


def test_daily_task_generates_for_every_organization(world):
    with scope(organization=world.org_a):
        series = services.series_create(
            actor=world.convener,
            community=world.community_a,
            title="Weekly office hours",
            kind=SessionKind.OFFICE_HOURS,
            rrule="FREQ=WEEKLY",
            time_zone="UTC",
            first_date=dt.date.today(),
            start_time=dt.time(23, 59),
        )
        Session.objects.filter(series=series).order_by("-starts_at")[:3].values("pk")
        last_ids = list(
            Session.objects.filter(series=series)
            .order_by("-starts_at")
            .values_list("pk", flat=True)[:3]
        )
        Session.objects.filter(pk__in=last_ids).delete()
        before = Session.objects.filter(series=series).count()
    assert generate_occurrences.delay().get() == 3
    with scope(organization=world.org_a):
        assert Session.objects.filter(series=series).count() == before + 3
    assert generate_occurrences.delay().get() == 0


def test_session_must_end_after_it_starts(scope_a):
    world = scope_a
    start = dt.datetime(2026, 5, 1, 12, tzinfo=UTC)
    with pytest.raises(ValidationError) as error:
        services.session_create(
            actor=world.convener,
            community=world.community_a,
            title="Huddle",
            kind=SessionKind.HUDDLE,
            starts_at=start,
            ends_at=start - dt.timedelta(minutes=30),
            time_zone="UTC",
        )
    assert "ends_at" in error.value.message_dict
    assert not Session.objects.exists()
