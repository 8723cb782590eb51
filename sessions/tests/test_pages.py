"""Pages: permissions, forms and their bad input, attendance, cases, breakouts,
decisions and action items, search."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.urls import reverse
from django_scopes import scope

from copcore.testing import UserFactory, add_member
from sessions import services
from sessions.models import (
    ActionItem,
    Attendance,
    BreakoutMember,
    CasePresentation,
    Decision,
    Session,
    SessionSeries,
)
from sessions.tests.helpers import future, make_session, url


def test_sessions_of_a_community_need_view_rights(world, client_for):
    session = make_session(world)
    no_role = UserFactory(display_name="Nora Norole")
    add_member(world.org_a, no_role)
    for user in (world.convener, world.member, world.sponsor):
        assert client_for(user).get(url("sessions:session_list", world)).status_code == 200
    client = client_for(no_role)
    assert client.get(url("sessions:session_list", world)).status_code == 404
    assert (
        client.get(url("sessions:session_detail", world, session_id=session.pk)).status_code == 404
    )


def test_sponsor_is_read_only(world, client_for):
    session = make_session(world)
    sponsor = client_for(world.sponsor)
    page = sponsor.get(url("sessions:session_detail", world, session_id=session.pk))
    assert page.status_code == 200
    assert "Will you attend?" not in page.text
    assert "Record a decision" not in page.text
    for name, data in [
        ("sessions:attendance_reply", {"response": "registered"}),
        ("sessions:decision_create", {"decision-text": "x", "decision-owner": world.sponsor.pk}),
        ("sessions:poll_create", {"poll-question": "q", "poll-options": "a\nb"}),
        ("sessions:session_cancel", {}),
    ]:
        assert sponsor.post(url(name, world, session_id=session.pk), data).status_code == 403
    assert sponsor.get(url("sessions:series_create", world)).status_code == 403
    assert (
        sponsor.get(url("sessions:attendance_csv", world, session_id=session.pk)).status_code == 403
    )
    with scope(organization=world.org_a):
        assert not Attendance.objects.exists()
        assert not Decision.objects.exists()


def test_member_cannot_manage_sessions(world, client_for):
    session = make_session(world)
    member = client_for(world.member)
    assert member.get(url("sessions:session_create", world)).status_code == 403
    assert member.get(url("sessions:session_edit", world, session_id=session.pk)).status_code == 403
    assert (
        member.get(url("sessions:attendance_record", world, session_id=session.pk)).status_code
        == 403
    )


def test_convener_creates_a_series_on_the_page(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        url("sessions:series_create", world),
        {
            "title": "Monthly sepsis ECHO",
            "kind": "all_hands",
            "rrule": "FREQ=MONTHLY;BYDAY=1TU",
            "first_date": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
            "start_time": "18:00",
            "time_zone": "Europe/London",
            "duration_minutes": "90",
            "rota": [world.convener.pk, world.member.pk],
        },
        follow=True,
    )
    assert "The series has been created" in response.text
    with scope(organization=world.org_a):
        series = SessionSeries.objects.get()
        assert series.rota.count() == 2
        assert Session.objects.filter(series=series).count() >= 5


def test_unparseable_rrule_on_the_page_says_why_and_creates_nothing(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        url("sessions:series_create", world),
        {
            "title": "Broken",
            "kind": "huddle",
            "rrule": "FREQ=MONTHLY;BYDAY=first tuesday",
            "first_date": "2026-01-06",
            "start_time": "18:00",
            "time_zone": "Europe/London",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 200
    assert "The recurrence rule could not be understood" in response.text
    assert "FREQ=MONTHLY;BYDAY=first tuesday" in response.text  # kept what was typed
    with scope(organization=world.org_a):
        assert not SessionSeries.objects.exists()
        assert not Session.objects.exists()


def test_session_ending_before_it_starts_is_refused_on_the_page(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        url("sessions:session_create", world),
        {
            "title": "Urgent huddle",
            "kind": "huddle",
            "day": "2026-05-01",
            "start_time": "12:00",
            "end_time": "11:30",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert "A session must end after it starts." in response.text
    assert "Urgent huddle" in response.text
    with scope(organization=world.org_a):
        assert not Session.objects.exists()


def test_one_off_session_is_stored_in_utc_and_shown_in_the_viewers_time_zone(world, client_for):
    client = client_for(world.convener)
    client.post(
        url("sessions:session_create", world),
        {
            "title": "Summer huddle",
            "kind": "huddle",
            "day": "2026-07-01",
            "start_time": "18:00",
            "end_time": "18:30",
            "time_zone": "Europe/London",
        },
    )
    with scope(organization=world.org_a):
        session = Session.objects.get()
    assert session.starts_at == dt.datetime(2026, 7, 1, 17, 0, tzinfo=dt.UTC)
    world.member.time_zone = "America/New_York"
    world.member.save()
    page = client_for(world.member).get(
        url("sessions:session_detail", world, session_id=session.pk)
    )
    assert "13:00" in page.text  # 17:00 UTC is 13:00 in New York (EDT)
    assert "America/New_York" in page.text
    assert "18:00 in Europe/London" in page.text


def test_move_and_cancel(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    response = client.post(
        url("sessions:session_move", world, session_id=session.pk),
        {"day": "2026-09-01", "start_time": "10:00", "end_time": "09:00", "time_zone": "UTC"},
    )
    assert "A session must end after it starts." in response.text
    with scope(organization=world.org_a):
        session.refresh_from_db()
    assert session.sequence == 0
    client.post(
        url("sessions:session_move", world, session_id=session.pk),
        {"day": "2026-09-01", "start_time": "10:00", "end_time": "11:00", "time_zone": "UTC"},
    )
    client.post(url("sessions:session_cancel", world, session_id=session.pk), {"reason": "Strike"})
    with scope(organization=world.org_a):
        session.refresh_from_db()
    assert session.starts_at == dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC)
    assert session.is_cancelled
    assert session.cancellation_reason == "Strike"
    assert session.sequence == 2


def test_attendance_reply_record_and_csv_export(world, client_for):
    session = make_session(world, title='=HYPERLINK("http://evil")', days=-1)
    world.member.display_name = "@Manu"
    world.member.save()
    member = client_for(world.member)
    member.post(
        url("sessions:attendance_reply", world, session_id=session.pk), {"response": "registered"}
    )
    client_for(world.steward).post(
        url("sessions:attendance_reply", world, session_id=session.pk), {"response": "apologies"}
    )
    convener = client_for(world.convener)
    response = convener.post(
        url("sessions:attendance_record", world, session_id=session.pk),
        {"attended": [world.member.pk, world.convener.pk]},
        follow=True,
    )
    assert "Attendance has been recorded." in response.text
    with scope(organization=world.org_a):
        marks = {a.user.email: (a.response, a.attended) for a in Attendance.objects.all()}
    assert marks["member@a.example"] == ("registered", True)
    assert marks["steward@a.example"] == ("apologies", False)
    assert marks["convener@a.example"] == ("none", True)

    export = convener.get(url("sessions:attendance_csv", world, session_id=session.pk))
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["session", "session_start_utc", "name", "email", "reply", "attended"]
    by_email = {r[3]: r for r in rows[1:]}
    assert by_email["member@a.example"][2] == "'@Manu"
    assert by_email["member@a.example"][0].startswith("'=HYPERLINK")
    assert by_email["member@a.example"][4:] == ["registered", "yes"]
    assert by_email["steward@a.example"][5] == "no"


def test_case_form_warns_about_identifying_text_and_needs_confirmation(world, client_for):
    session = make_session(world)
    client = client_for(world.member)
    case_url = url("sessions:case_create", world, session_id=session.pk)
    data = {
        "presenter": world.member.pk,
        "title": "Late sepsis recognition",
        "case_summary": "Woman, DOB 12/03/1958, NHS 943 476 5919, admitted with fever.",
        "questions": "Could we have escalated sooner?",
    }
    response = client.post(case_url, data)
    assert response.status_code == 200
    assert "Warning: this text may identify a patient" in response.text
    assert "Date of birth" in response.text and "NHS number" in response.text
    assert "Nothing has been saved yet" in response.text
    assert "I have checked: this text does not identify anyone. Save anyway." in response.text
    assert "Could we have escalated sooner?" in response.text  # kept what was typed
    with scope(organization=world.org_a):
        assert not CasePresentation.objects.exists()

    # Submitting again without ticking the box still saves nothing.
    response = client.post(case_url, {**data, "confirm_shown": "1"})
    assert "Warning: this text may identify a patient" in response.text
    with scope(organization=world.org_a):
        assert not CasePresentation.objects.exists()

    response = client.post(
        case_url, {**data, "confirm_shown": "1", "confirm_deidentified": "on"}, follow=True
    )
    assert "The case presentation has been saved." in response.text
    with scope(organization=world.org_a):
        case = CasePresentation.objects.get()
    assert case.identifying_warning_overridden is True
    assert case.presenter == world.member


def test_clean_case_saves_at_once_and_presenter_cannot_be_someone_else(world, client_for):
    session = make_session(world)
    client = client_for(world.member)
    response = client.post(
        url("sessions:case_create", world, session_id=session.pk),
        {
            "presenter": world.steward.pk,
            "site": world.site_a.pk,
            "title": "Fluids in frailty",
            "case_summary": "A man in his eighties, day 2, lactate 3.1.",
            "questions": "How much fluid?",
        },
    )
    assert "Select a valid choice" in response.text  # members present their own cases
    response = client.post(
        url("sessions:case_create", world, session_id=session.pk),
        {
            "presenter": world.member.pk,
            "site": world.site_a.pk,
            "title": "Fluids in frailty",
            "case_summary": "A man in his eighties, day 2, lactate 3.1.",
            "questions": "How much fluid?",
        },
        follow=True,
    )
    assert "The case presentation has been saved." in response.text
    assert "General Hospital" in response.text
    with scope(organization=world.org_a):
        case = CasePresentation.objects.get()
    assert not case.identifying_warning_overridden
    # Another member cannot edit it; the convener can record recommendations.
    assert (
        client_for(world.steward)
        .get(url("sessions:case_edit", world, session_id=session.pk, case_id=case.pk))
        .status_code
        == 403
    )
    response = client_for(world.convener).post(
        url("sessions:case_edit", world, session_id=session.pk, case_id=case.pk),
        {
            "presenter": world.member.pk,
            "title": case.title,
            "case_summary": case.case_summary,
            "questions": case.questions,
            "recommendations": "Give 30 ml/kg and reassess after each bolus.",
        },
        follow=True,
    )
    assert "Give 30 ml/kg" in response.text


def test_breakouts_at_random_and_by_hand_with_notes(world, client_for):
    session = make_session(world, days=-1)
    with scope(organization=world.org_a):
        services.attendance_mark(
            actor=world.convener,
            session=session,
            attended=[world.convener, world.member, world.steward],
        )
    client = client_for(world.convener)
    page_url = url("sessions:breakouts", world, session_id=session.pk)
    response = client.post(page_url, {"random": "1", "group_count": "2"}, follow=True)
    assert "split into groups at random" in response.text
    with scope(organization=world.org_a):
        sizes = sorted(g.members.count() for g in session.breakouts.all())
    assert sizes == [1, 2]
    response = client.post(page_url, {"random": "1", "group_count": "5"})
    assert "more groups than people" in response.text

    response = client.post(
        page_url,
        {
            "manual": "1",
            f"person_{world.convener.pk}": "1",
            f"person_{world.member.pk}": "2",
            f"person_{world.steward.pk}": "2",
        },
        follow=True,
    )
    assert "The groups have been saved." in response.text
    with scope(organization=world.org_a):
        groups = list(session.breakouts.order_by("position"))
        assert [g.members.count() for g in groups] == [1, 2]
        assert BreakoutMember.objects.get(user=world.member).group == groups[1]
    client.post(
        url("sessions:breakout_notes", world, session_id=session.pk, group_id=groups[1].pk),
        {f"g{groups[1].pk}-notes": "Try the sepsis six sticker"},
    )
    member_view = client_for(world.member).get(page_url)
    assert "Try the sepsis six sticker" in member_view.text
    assert "Split at random" not in member_view.text


def test_decisions_and_action_items_with_overdue_label(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    response = client.post(
        url("sessions:decision_create", world, session_id=session.pk),
        {
            "decision-text": "Adopt the screening tool on two wards",
            "decision-owner": world.member.pk,
        },
        follow=True,
    )
    assert "The decision has been recorded." in response.text
    past_due = {
        "action-owner": world.member.pk,
        "action-description": "Test the tool on ward 3",
        "action-due_on": "2020-01-01",
    }
    response = client.post(
        url("sessions:action_item_create", world, session_id=session.pk), past_due, follow=True
    )
    assert "This date is in the past." in response.text
    assert 'type="checkbox" name="action-confirm_past_due"' in response.text
    with scope(organization=world.org_a):
        assert not ActionItem.objects.exists()
    response = client.post(
        url("sessions:action_item_create", world, session_id=session.pk),
        {**past_due, "action-confirm_past_due": "on"},
        follow=True,
    )
    assert "The action item has been recorded." in response.text
    client.post(
        url("sessions:action_item_create", world, session_id=session.pk),
        {
            "action-owner": world.steward.pk,
            "action-description": "Audit 20 notes",
            "action-due_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        },
    )
    listing = client.get(url("sessions:community_actions", world))
    assert listing.text.count("Overdue</strong>") == 1
    assert "Test the tool on ward 3" in listing.text and "Audit 20 notes" in listing.text
    overdue_only = client.get(url("sessions:community_actions", world) + "?overdue=on")
    assert "Audit 20 notes" not in overdue_only.text

    mine = client_for(world.member).get(
        reverse("sessions:my_actions", kwargs={"org_slug": world.org_a.slug})
    )
    assert "Test the tool on ward 3" in mine.text
    assert "Audit 20 notes" not in mine.text
    assert "Overdue</strong>" in mine.text

    with scope(organization=world.org_a):
        item = ActionItem.objects.get(owner=world.member)
        other = ActionItem.objects.get(owner=world.steward)
    member = client_for(world.member)
    member.post(url("sessions:action_item_status", world, item_id=item.pk), {"status": "done"})
    assert (
        member.post(
            url("sessions:action_item_status", world, item_id=other.pk), {"status": "done"}
        ).status_code
        == 403
    )
    with scope(organization=world.org_a):
        item.refresh_from_db()
        other.refresh_from_db()
    assert item.status == "done" and not item.is_overdue
    assert other.status == "open"


def test_search_by_title_agenda_summary_and_decisions(world, client_for):
    a = make_session(world, title="Fluids clinic", agenda="Balanced crystalloids")
    b = make_session(world, title="Antibiotics clinic", days=8)
    c = make_session(world, title="Handover huddle", days=9)
    with scope(organization=world.org_a):
        services.session_update_record(
            actor=world.convener, session=b, summary="We reviewed time to first dose."
        )
        services.decision_record(
            actor=world.convener, session=c, text="Use the SBAR template", owner=world.member
        )
    client = client_for(world.member)

    def found(q):
        page = client.get(url("sessions:session_list", world), {"q": q})
        return {s.title for s in page.context["page"]}

    assert found("crystalloids") == {a.title}
    assert found("first dose") == {b.title}
    assert found("SBAR") == {c.title}
    assert found("clinic") == {a.title, b.title}
    assert found("crystal") == {a.title}  # part of a word
    assert found("nothing-like-this") == set()


def test_session_list_shows_upcoming_and_past(world, client_for):
    make_session(world, title="Next week")
    past = make_session(world, title="Last month", days=-30)
    client = client_for(world.member)
    upcoming = client.get(url("sessions:session_list", world))
    assert "Next week" in upcoming.text and "Last month" not in upcoming.text
    earlier = client.get(url("sessions:session_list", world), {"when": "past"})
    assert past.title in earlier.text and "Next week" not in earlier.text


def test_introductory_meeting_records_the_action_plan(world, client_for):
    session = make_session(world, title="Introductory meeting", kind="introductory")
    client = client_for(world.convener)
    client.post(
        url("sessions:session_edit", world, session_id=session.pk),
        {
            "title": session.title,
            "agenda": "Objectives and expected results",
            "summary": "Twelve sites joined.",
            "action_plan": "Month 1: baseline data. Month 2: first PDSA cycles.",
            "recording_link": "https://video.example.org/rec/1",
        },
    )
    page = client.get(url("sessions:session_detail", world, session_id=session.pk))
    assert "Action plan proposed to members" in page.text
    assert "Month 1: baseline data." in page.text
    assert "https://video.example.org/rec/1" in page.text
    assert future().tzinfo is not None


def test_case_warning_shows_even_when_another_field_is_missing(world, client_for):
    session = make_session(world)
    response = client_for(world.convener).post(
        url("sessions:case_create", world, session_id=session.pk),
        {"title": "Case", "case_summary": "Call her on 07700 900123.", "questions": ""},
    )
    assert "Warning: this text may identify a patient" in response.text
    assert "Phone number" in response.text
    assert "This field is required." in response.text
    with scope(organization=world.org_a):
        assert not CasePresentation.objects.exists()
