"""iCalendar: a session's .ics download and the private feed, parsed back with icalendar.

The feed tests use the project-level mount ``calendar:feed`` (copcore/urls.py:
``path("calendar/", include((sessions_urls.feed_urlpatterns, "calendar")))``).
"""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django_scopes import scope
from icalendar import Calendar

from copcore.permissions import CommunityRole
from copcore.testing import add_member, give_role, make_community
from sessions import services
from sessions.tests.helpers import make_session, url

REQUIRED_EVENT = ("UID", "DTSTAMP", "DTSTART")


def _parse(body: bytes) -> Calendar:
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    for event in calendar.walk("VEVENT"):
        for prop in REQUIRED_EVENT:
            assert prop in event, prop
    return calendar


def test_session_ics_download_validates_and_carries_the_session(world, client_for):
    session = make_session(world, title="ECHO clinic", video_link="https://meet.example.org/x")
    response = client_for(world.sponsor).get(
        url("sessions:session_ics", world, session_id=session.pk)
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    [event] = _parse(response.content).walk("VEVENT")
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["SUMMARY"]) == "ECHO clinic (Sepsis CoP)"
    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    assert str(event["UID"]).startswith(f"session-{session.pk}@")
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancelled_session_is_marked_cancelled_with_a_new_sequence(world, client_for):
    session = make_session(world)
    with scope(organization=world.org_a):
        services.session_cancel(actor=world.convener, session=session)
    body = client_for(world.member).get(url("sessions:session_ics", world, session_id=session.pk))
    [event] = _parse(body.content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def _feed_url(client) -> str:
    response = client.post(
        reverse("sessions:calendar_settings", kwargs={"org_slug": "network-a"}), {"action": "reset"}
    )
    assert response.status_code == 200
    feed_url = response.context["feed_url"]
    assert feed_url
    return feed_url.split("testserver", 1)[1]


def test_private_feed_works_without_login_across_organizations_and_can_be_revoked(
    world, client_for
):
    mine = make_session(world, title="Sepsis ECHO")
    # The member also belongs to organization B and takes part in its CoP.
    add_member(world.org_b, world.member)
    give_role(world.community_b, world.member, CommunityRole.MEMBER)
    with scope(organization=world.org_b):
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
        other_org = services.session_create(
            actor=world.outsider,
            community=world.community_b,
            title="Postpartum huddle",
            kind="huddle",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            time_zone="UTC",
        )
        hidden = services.session_create(
            actor=world.outsider,
            community=make_community(world.org_b, world.outsider, "Other CoP", "other"),
            title="Hidden",
            kind="huddle",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            time_zone="UTC",
        )
    member = client_for(world.member)
    path = _feed_url(member)
    assert path.startswith(reverse("calendar:feed", kwargs={"token": "x"}).rsplit("/", 1)[0])

    anonymous = Client()
    response = anonymous.get(path)
    assert response.status_code == 200
    calendar = _parse(response.content)
    titles = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert f"{mine.title} (Sepsis CoP)" in titles
    assert f"{other_org.title} (Postpartum CoP)" in titles
    assert not any(t.startswith(hidden.title) for t in titles)  # a CoP they have no role in
    assert len(titles) == 2

    # The steward has no role in org B's CoP: only org A's session.
    steward_feed = _feed_url(client_for(world.steward))
    steward_titles = {
        str(e["SUMMARY"]) for e in _parse(anonymous.get(steward_feed).content).walk("VEVENT")
    }
    assert steward_titles == {f"{mine.title} (Sepsis CoP)"}

    # Resetting makes the old address stop working; revoking switches it off.
    new_path = _feed_url(member)
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(new_path).status_code == 200
    member.post(
        reverse("sessions:calendar_settings", kwargs={"org_slug": "network-a"}),
        {"action": "revoke"},
    )
    assert anonymous.get(new_path).status_code == 404


def test_unknown_feed_token_is_a_404(db):
    response = Client().get(reverse("calendar:feed", kwargs={"token": "no-such-token"}))
    assert response.status_code == 404


def test_feed_token_is_stored_hashed(world, client_for):
    from sessions.models import CalendarFeedToken

    path = _feed_url(client_for(world.member))
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeedToken.objects.get(user=world.member)
    assert stored.token_hash != token
    assert stored.token_hash == services.feed_token_hash(token)
