"""The hourly tick: who is due in their own time zone, catch-up, one per period; and
every reminder kind, each switchable per person."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope

from communities.models import CommunityRoleAssignment
from notifications import services
from notifications.models import DeliveryRecord, DeliveryStatus, Kind, NotificationPreference
from notifications.schedule import digest_period
from notifications.tasks import tick
from notifications.tests.helpers import make_content

pytestmark = pytest.mark.django_db

# Monday 2026-11-23 07:00 UTC
MONDAY_7_UTC = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def monday_clock():
    """The clock stopped an hour before MONDAY_7_UTC, so that the people, roles and
    content the test builds exist before the ticks it runs (a tick at a fixed instant
    must not meet roles that begin, by the real clock, weeks after it)."""
    with time_machine.travel(MONDAY_7_UTC - dt.timedelta(hours=1), tick=False) as traveller:
        yield traveller


def test_default_is_monday_0800_local():
    period = digest_period(
        now=MONDAY_7_UTC, time_zone="Europe/Madrid", frequency="weekly", weekday=0, hour=8
    )
    assert period.key == "2026-W48"
    assert period.scheduled.isoformat() == "2026-11-23T08:00:00+01:00"
    assert period.scheduled <= MONDAY_7_UTC  # 08:00 in Madrid is 07:00 UTC
    lima = digest_period(
        now=MONDAY_7_UTC, time_zone="America/Lima", frequency="weekly", weekday=0, hour=8
    )
    assert lima.scheduled > MONDAY_7_UTC  # still 02:00 in Lima


def test_tick_picks_people_whose_local_time_has_come(monday_clock, world):
    world.member.time_zone = "Europe/Madrid"
    world.member.save()
    world.steward.time_zone = "America/Lima"
    world.steward.save()
    NotificationPreference.objects.create(user=world.sponsor, frequency="daily", hour=6)
    NotificationPreference.objects.create(user=world.convener, digest_enabled=False)
    monday_clock.move_to(MONDAY_7_UTC)
    due = set(services.digest_due_user_ids(now=MONDAY_7_UTC))
    assert world.member.pk in due
    assert world.steward.pk not in due  # 02:00 in Lima
    assert world.sponsor.pk in due  # daily at 06:00 UTC
    assert world.convener.pk not in due  # digest off
    assert world.outsider.pk not in due  # UTC: 07:00 < 08:00
    # caught up later in the week if the Monday tick was missed
    monday_clock.move_to(MONDAY_7_UTC + dt.timedelta(days=2))
    assert world.steward.pk in set(
        services.digest_due_user_ids(now=MONDAY_7_UTC + dt.timedelta(days=2))
    )


def test_tick_sends_once_per_period(monday_clock, world):
    make_content(world, now=MONDAY_7_UTC)
    world.member.time_zone = "Europe/Madrid"
    world.member.save()
    monday_clock.move_to(MONDAY_7_UTC)

    def digests():
        return [m.to[0] for m in mail.outbox if m.extra_headers["X-CoP-Kind"] == "digest"]

    tick(MONDAY_7_UTC.isoformat())
    assert "member@a.example" in digests()
    monday_clock.move_to(MONDAY_7_UTC + dt.timedelta(hours=1))
    tick((MONDAY_7_UTC + dt.timedelta(hours=1)).isoformat())
    assert digests().count("member@a.example") == 1
    monday_clock.move_to(MONDAY_7_UTC + dt.timedelta(hours=2))
    assert world.member.pk not in services.digest_due_user_ids(
        now=MONDAY_7_UTC + dt.timedelta(hours=2)
    )


def test_send_digests_now_command(world):
    make_content(world)
    call_command("send_digests", "--now")
    sent = sorted(m.to[0] for m in mail.outbox if m.extra_headers.get("X-CoP-Kind") == "digest")
    assert sent == [
        "convener@a.example",
        "member@a.example",
        "sponsor@a.example",
        "steward@a.example",
    ]
    call_command("send_digests", "--now")
    assert len([m for m in mail.outbox if m.extra_headers["X-CoP-Kind"] == "digest"]) == 4


def _reminders(now):
    for kind, pairs in services.reminders_due(now=now).items():
        services.reminders_send(kind=kind, pairs=pairs, now=now)
    return {(m.to[0], m.extra_headers["X-CoP-Kind"]): m for m in mail.outbox}


def test_session_reminders_24h_and_1h_with_ics(world):
    content = make_content(world)
    session = content["session"]
    day_before = session.starts_at - dt.timedelta(hours=23, minutes=30)
    sent = _reminders(day_before)
    message = sent[("member@a.example", Kind.SESSION_24H)]
    ics = [a for a in message.attachments if a[0] == "session.ics"]
    assert ics and b"BEGIN:VEVENT" in (
        ics[0][1] if isinstance(ics[0][1], bytes) else ics[0][1].encode()
    )
    assert ("convener@a.example", Kind.SESSION_24H) not in sent  # not registered
    _reminders(day_before + dt.timedelta(hours=1))  # the next tick: no second copy
    assert len([m for m in mail.outbox if m.extra_headers["X-CoP-Kind"] == "session_24h"]) == 1
    sent = _reminders(session.starts_at - dt.timedelta(minutes=40))
    assert ("member@a.example", Kind.SESSION_1H) in sent
    raw = message_from_bytes(sent[("member@a.example", Kind.SESSION_1H)].message().as_bytes())
    assert any(p.get_content_type() == "text/calendar" for p in raw.walk())


def test_each_reminder_kind_can_be_turned_off(world):
    content = make_content(world)
    NotificationPreference.objects.create(
        user=world.member, disabled_reminders=[Kind.SESSION_24H, Kind.ACTION_ITEMS]
    )
    sent = _reminders(content["session"].starts_at - dt.timedelta(hours=20))
    assert ("member@a.example", Kind.SESSION_24H) not in sent
    sent = _reminders(timezone.now().replace(hour=12))
    assert ("member@a.example", Kind.ACTION_ITEMS) not in sent
    assert ("steward@a.example", Kind.DATA_DUE) in sent  # other people, other kinds: on
    sent = _reminders(content["session"].starts_at - dt.timedelta(minutes=30))
    assert ("member@a.example", Kind.SESSION_1H) in sent  # the 1-hour kind is still on


def test_action_items_data_due_and_role_term_reminders(world):
    make_content(world)
    today = timezone.localdate()
    with scope(organization=world.org_a):
        CommunityRoleAssignment.objects.filter(user=world.sponsor).update(
            ends_on=today + dt.timedelta(days=20)
        )
    now = timezone.now().replace(hour=12)
    sent = _reminders(now)
    assert "Share the screening audit" in sent[("member@a.example", Kind.ACTION_ITEMS)].body
    assert "General Hospital" in sent[("steward@a.example", Kind.DATA_DUE)].body
    assert ("sponsor@a.example", Kind.ROLE_TERM) in sent
    assert ("member@a.example", Kind.DATA_DUE) not in sent
    assert "charter, version 1" in sent[("member@a.example", Kind.CHARTER_ACK)].body
    assert ("sponsor@a.example", Kind.CHARTER_ACK) not in sent  # sponsors need not
    # the next tick sends none of them again
    count = len(mail.outbox)
    _reminders(now + dt.timedelta(hours=1))
    assert len(mail.outbox) == count
    assert DeliveryRecord.objects.filter(status=DeliveryStatus.SENT).count() == count


def test_hourly_tick_is_in_the_beat_schedule():
    from celery.schedules import crontab

    from copcore.celery import app

    entry = app.conf.beat_schedule["notifications-hourly-tick"]
    assert entry["task"] == "notifications.tick"
    assert entry["schedule"] == crontab(minute=0)
    assert "sync-role-terms-daily" in app.conf.beat_schedule  # the project's entries stay
    assert app.tasks["notifications.tick"].name == tick.name == "notifications.tick"
