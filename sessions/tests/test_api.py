"""API: series, sessions, attendance, polls, decisions and action items; bad input."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from sessions.models import ActionItem, Attendance, Decision, Session, SessionSeries
from sessions.tests.helpers import make_session

BASE = "/api/v1/o/network-a/communities/sepsis/"


def test_series_create_and_bad_rrule(world, client_for):
    client = client_for(world.convener)
    payload = {
        "title": "Quarterly retrospective",
        "kind": "retrospective",
        "rrule": "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO",
        "time_zone": "America/Sao_Paulo",
        "first_date": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": 60,
        "rota": [world.member.pk],
    }
    response = client.post(BASE + "series/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rota_people"] == [
        {"position": 1, "id": world.member.pk, "display_name": world.member.display_name}
    ]
    bad = client.post(
        BASE + "series/", {**payload, "rrule": "FREQ=SOMETIMES"}, content_type="application/json"
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "invalid"
    assert "rrule" in error["fields"]
    with scope(organization=world.org_a):
        assert SessionSeries.objects.count() == 1
    listing = client.get(BASE + "series/").json()
    assert listing["count"] == 1


def test_session_create_refuses_end_before_start(world, client_for):
    client = client_for(world.convener)
    start = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    payload = {
        "title": "Huddle",
        "kind": "huddle",
        "starts_at": start.isoformat(),
        "ends_at": (start - dt.timedelta(hours=1)).isoformat(),
        "time_zone": "UTC",
    }
    response = client.post(BASE + "sessions/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "A session must end after it starts."
    with scope(organization=world.org_a):
        assert not Session.objects.exists()
    payload["ends_at"] = (start + dt.timedelta(hours=1)).isoformat()
    created = client.post(BASE + "sessions/", payload, content_type="application/json")
    assert created.status_code == 201
    session_id = created.json()["id"]
    moved = client.patch(
        BASE + f"sessions/{session_id}/",
        {"starts_at": start.isoformat(), "ends_at": start.isoformat()},
        content_type="application/json",
    )
    assert moved.status_code == 400
    with scope(organization=world.org_a):
        assert Session.objects.get().sequence == 0


def test_session_list_search_and_permissions(world, client_for):
    make_session(world, title="Fluids clinic")
    make_session(world, title="Antibiotics clinic", days=9)
    member = client_for(world.member)
    everything = member.get(BASE + "sessions/").json()
    assert everything["count"] == 2
    found = member.get(BASE + "sessions/", {"q": "fluids"}).json()
    assert [s["title"] for s in found["results"]] == ["Fluids clinic"]
    denied = member.post(
        BASE + "sessions/",
        {
            "title": "x",
            "kind": "huddle",
            "starts_at": "2026-01-01T10:00Z",
            "ends_at": "2026-01-01T11:00Z",
            "time_zone": "UTC",
        },
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_attendance_decisions_and_action_items(world, client_for):
    session = make_session(world)
    member, convener, sponsor = (
        client_for(u) for u in (world.member, world.convener, world.sponsor)
    )
    s = BASE + f"sessions/{session.pk}/"
    assert (
        member.post(
            s + "attendance/", {"response": "registered"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert (
        sponsor.post(
            s + "attendance/", {"response": "registered"}, content_type="application/json"
        ).status_code
        == 403
    )
    too_early = convener.post(
        s + "attendance/marks/", {"attended": [world.member.pk]}, content_type="application/json"
    )
    assert too_early.status_code == 400
    assert "once the session has started" in too_early.json()["error"]["message"]
    with scope(organization=world.org_a):
        session.starts_at = timezone.now() - dt.timedelta(minutes=5)
        session.save(update_fields=["starts_at"])
    marked = convener.post(
        s + "attendance/marks/", {"attended": [world.member.pk]}, content_type="application/json"
    )
    assert marked.json() == {"marked": 1}
    rows = member.get(s + "attendance/").json()["results"]
    assert rows[0]["response"] == "registered" and rows[0]["attended"] is True

    decision = convener.post(
        s + "decisions/",
        {"text": "Adopt NEWS2", "owner": world.member.pk},
        content_type="application/json",
    )
    assert decision.status_code == 201
    assert (
        member.post(
            s + "decisions/",
            {"text": "x", "owner": world.member.pk},
            content_type="application/json",
        ).status_code
        == 403
    )

    item = convener.post(
        BASE + "action-items/",
        {
            "session": session.pk,
            "owner": world.member.pk,
            "description": "Test NEWS2 on ward 3",
            "due_on": "2020-01-01",
        },
        content_type="application/json",
    )
    assert item.status_code == 201, item.content
    assert item.json()["is_overdue"] is True
    item_id = item.json()["id"]
    overdue = member.get(BASE + "action-items/", {"overdue": "true"}).json()
    assert [i["id"] for i in overdue["results"]] == [item_id]
    mine = member.get("/api/v1/o/network-a/action-items/mine/").json()
    assert [i["id"] for i in mine["results"]] == [item_id]
    done = member.patch(
        BASE + f"action-items/{item_id}/", {"status": "done"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert (
        sponsor.patch(
            BASE + f"action-items/{item_id}/", {"status": "open"}, content_type="application/json"
        ).status_code
        == 403
    )
    with scope(organization=world.org_a):
        assert Attendance.objects.count() == 1
        assert Decision.objects.count() == 1
        assert ActionItem.objects.get().status == "done"


def test_polls_through_the_api(world, client_for):
    session = make_session(world)
    convener, member = client_for(world.convener), client_for(world.member)
    s = BASE + f"sessions/{session.pk}/"
    created = convener.post(
        s + "polls/",
        {"question": "Which ward first?", "options": ["Ward 3", "Ward 7"], "anonymous": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    poll = created.json()
    assert poll["anonymous"] is True and poll["voter_count"] == 0
    option = poll["options"][1]["id"]
    voted = member.post(
        s + f"polls/{poll['id']}/votes/", {"options": [option]}, content_type="application/json"
    )
    assert voted.json()["options"][1]["votes"] == 1
    closed = convener.patch(
        s + f"polls/{poll['id']}/", {"is_open": False}, content_type="application/json"
    )
    assert closed.json()["is_open"] is False
    listing = member.get(s + "polls/").json()
    assert listing["results"][0]["voter_count"] == 1
    assert "voter" not in str(listing["results"][0]["options"])


def test_another_organizations_community_is_a_404(world, client_for):
    client = client_for(world.outsider)
    response = client.get("/api/v1/o/network-b/communities/sepsis/sessions/")
    assert response.status_code == 404


def test_case_presentation_through_the_api_warns_about_identifying_text(world, client_for):
    session = make_session(world)
    member = client_for(world.member)
    cases = BASE + f"sessions/{session.pk}/cases/"
    payload = {
        "presenter": world.member.pk,
        "site": world.site_a.pk,
        "title": "Late recognition",
        "case_summary": "Seen with fever; email jo@example.org for notes.",
        "questions": "Escalate sooner?",
    }
    refused = member.post(cases, payload, content_type="application/json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "Email address" in error["fields"]["case_summary"][0]
    with scope(organization=world.org_a):
        assert not session.cases.exists()
    confirmed = member.post(
        cases, {**payload, "confirm_deidentified": True}, content_type="application/json"
    )
    assert confirmed.status_code == 201
    assert confirmed.json()["identifying_warning_overridden"] is True
    someone_else = member.post(
        cases,
        {**payload, "presenter": world.steward.pk, "case_summary": "A man in his fifties."},
        content_type="application/json",
    )
    assert someone_else.status_code == 403
    assert (
        client_for(world.sponsor).post(cases, payload, content_type="application/json").status_code
        == 403
    )
    assert [c["title"] for c in member.get(cases).json()["results"]] == ["Late recognition"]
