"""A way back from every slip on the session pages: cancelling asks first and records
why, the register opens only once a session has started, and a due date in the past
is kept only when the person confirms it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from copcore.models import AuditEvent
from sessions import services
from sessions.models import Attendance
from sessions.tests.helpers import make_session, url


def test_cancelling_asks_first_and_says_what_will_happen(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    detail = client.get(url("sessions:session_detail", world, session_id=session.pk))
    cancel_url = url("sessions:session_cancel", world, session_id=session.pk)
    assert f'href="{cancel_url}"' in detail.text  # a link to a confirmation page, not a button
    page = client.get(cancel_url)
    assert page.status_code == 200
    assert "What will happen:" in page.text
    assert "You can schedule it again later from its page." in page.text
    with scope(organization=world.org_a):
        session.refresh_from_db()
    assert not session.is_cancelled  # looking at the page changed nothing


def test_cancelling_needs_a_reason_that_is_recorded(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    cancel_url = url("sessions:session_cancel", world, session_id=session.pk)
    refused = client.post(cancel_url, {"reason": ""})
    assert refused.status_code == 200
    assert "Say why the session is cancelled" in refused.text
    assert "<title>Error:" in refused.text
    with scope(organization=world.org_a):
        session.refresh_from_db()
        assert not session.is_cancelled
    done = client.post(cancel_url, {"reason": "Regional strike"}, follow=True)
    assert "The session has been cancelled." in done.text
    with scope(organization=world.org_a):
        session.refresh_from_db()
        event = AuditEvent.objects.get(verb="sessions.session_cancelled")
    assert session.is_cancelled and session.cancellation_reason == "Regional strike"
    assert event.data == {"reason": "Regional strike"}
    undone = client.post(cancel_url, {"action": "reinstate"}, follow=True)
    assert "The session is scheduled again." in undone.text


def test_a_sponsor_cannot_open_the_cancel_page(world, client_for):
    session = make_session(world)
    page = client_for(world.sponsor).get(
        url("sessions:session_cancel", world, session_id=session.pk)
    )
    assert page.status_code == 403


def test_attendance_cannot_be_taken_before_the_session_starts(world, client_for):
    session = make_session(world, days=35)
    with scope(organization=world.org_a), pytest.raises(ValidationError):
        services.attendance_mark(actor=world.convener, session=session, attended=[world.member])
    client = client_for(world.convener)
    detail = client.get(url("sessions:session_detail", world, session_id=session.pk))
    assert "Record attendance" not in detail.text
    register = url("sessions:attendance_record", world, session_id=session.pk)
    page = client.get(register)
    assert "This session has not started yet." in page.text
    assert "Save attendance" not in page.text
    posted = client.post(register, {"attended": [world.member.pk]})
    assert "Attendance can be recorded once the session has started" in posted.text
    with scope(organization=world.org_a):
        assert not Attendance.objects.filter(session=session, attended=True).exists()


def test_attendance_is_taken_once_the_session_has_started(world, client_for):
    session = make_session(world, days=-1)
    client = client_for(world.convener)
    detail = client.get(url("sessions:session_detail", world, session_id=session.pk))
    assert "Record attendance" in detail.text
    client.post(
        url("sessions:attendance_record", world, session_id=session.pk),
        {"attended": [world.member.pk]},
    )
    with scope(organization=world.org_a):
        assert Attendance.objects.get(session=session, user=world.member).attended is True
