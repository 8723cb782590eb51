"""A site team lead whose month is not self-rated yet finds it in "what needs you now",
in the digest and, in the month's last week, in a reminder; once rated, none of them
asks again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation import services
from measurement.models import SiteEnrolment
from notifications import services as notifications
from notifications.digest import compose_digests
from notifications.models import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(world):
    with scope(organization=world.org_a):
        SiteEnrolment.objects.create(
            organization=world.org_a,
            community=world.community_a,
            site=world.site_a,
            enrolled_on=timezone.localdate() - dt.timedelta(days=90),
        )
        services.site_team_lead_set(
            actor=world.convener,
            community=world.community_a,
            site=world.site_a,
            team_lead=world.member,
        )
    return world


def _self_rate(world):
    with scope(organization=world.org_a):
        services.progress_rate(
            actor=world.member,
            community=world.community_a,
            site=world.site_a,
            kind="self",
            score="2.5",
            may_rate_as_faculty=False,
        )


def test_needs_you_now_lists_the_due_rating_until_it_is_given(lead, client_for):
    client = client_for(lead.member)
    url = reverse(
        "communities:detail",
        kwargs={"org_slug": lead.org_a.slug, "community_slug": lead.community_a.slug},
    )
    body = client.get(url).content.decode()
    assert "Progress to rate this month" in body
    assert "progress of General Hospital" in body and "kind=self" in body
    # Nobody else is asked: the steward leads no team.
    assert "Progress to rate this month" not in client_for(lead.steward).get(url).content.decode()
    _self_rate(lead)
    assert "Progress to rate this month" not in client.get(url).content.decode()


def test_the_digest_carries_the_due_rating(lead):
    digests = {c.user_id: c for c in compose_digests([lead.member.pk, lead.steward.pk])}
    member = digests[lead.member.pk]
    assert "progress_ratings" in member.sections and "General Hospital" in member.text
    steward = digests.get(lead.steward.pk)
    assert steward is None or "progress_ratings" not in steward.sections
    _self_rate(lead)
    digests = {c.user_id: c for c in compose_digests([lead.member.pk])}
    member = digests.get(lead.member.pk)
    assert member is None or "progress_ratings" not in member.sections


def _reminders(now):
    for kind, pairs in notifications.reminders_due(now=now).items():
        notifications.reminders_send(kind=kind, pairs=pairs, now=now)
    return [m for m in mail.outbox if m.extra_headers["X-CoP-Kind"] == Kind.PROGRESS_RATING]


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def test_reminder_in_the_last_week_of_the_month_once(lead):
    # Next month, so both moments come after the lead was named (on the last day of a
    # month, "two days before its end" would be before the fixture's rows).
    following = _first_of_next_month(timezone.localdate())
    after = _first_of_next_month(following)
    mid_month = dt.datetime.combine(following.replace(day=10), dt.time(12), tzinfo=dt.UTC)
    month_end = dt.datetime.combine(after - dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(mid_month, tick=False):
        assert _reminders(mid_month) == []  # too early in the month
    with time_machine.travel(month_end, tick=False):
        sent = _reminders(month_end)
        assert [m.to[0] for m in sent] == ["member@a.example"]
        assert "General Hospital" in sent[0].body
        assert len(_reminders(month_end + dt.timedelta(hours=1))) == 1  # not twice


def test_no_reminder_once_rated(lead):
    today = timezone.localdate()
    following = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    month_end = dt.datetime.combine(following - dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(month_end, tick=False):
        _self_rate(lead)
        assert _reminders(month_end) == []
