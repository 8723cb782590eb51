"""A way back from every slip, for surveys: opening asks first and refuses a survey whose
closing date has passed (saying how to fix it), the closing date can be changed while
the survey is open, and a member learns that a survey has closed before filling it in
(answers sent after it closed stay in the form)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django_scopes import scope

from copcore.models import AuditEvent
from evaluation import services
from evaluation.models import Survey, SurveyRespondent
from evaluation.tests.helpers import enrol

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def draft(world, *, closes_on=None) -> tuple[Survey, int]:
    with scope(organization=world.org_a):
        enrol(world)
        survey = services.survey_create(
            actor=world.convener,
            community=world.community_a,
            title="Spring check",
            purpose="periodic",
            closes_on=closes_on,
        )
        question = services.question_add(
            actor=world.convener, survey=survey, kind="text", text="What helped most?"
        )
    return survey, question.pk


def page(world, name, survey, **extra):
    return reverse(
        f"evaluation:{name}",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "survey_id": survey.pk,
            **extra,
        },
    )


def status_of(world, survey) -> str:
    with scope(organization=world.org_a):
        survey.refresh_from_db()
    return survey.status


def test_opening_asks_first_and_a_direct_post_does_not_open(world, client_for):
    survey, _question = draft(world, closes_on=TODAY + dt.timedelta(days=10))
    client = client_for(world.convener)
    builder = client.get(page(world, "survey", survey)).content.decode()
    assert page(world, "survey_open", survey) in builder  # a link to the confirmation
    confirmation = client.get(page(world, "survey_open", survey))
    text = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert "What will happen:" in text and "cannot be undone" in text
    assert date_format(dt.date(2026, 5, 22)) in text  # the reader's date format
    # The old one-click form (or any POST without the confirmation flag) shows the
    # confirmation page instead of opening.
    direct = client.post(page(world, "survey_status", survey), {"action": "open"})
    assert direct.status_code == 200 and "What will happen:" in direct.content.decode()
    assert status_of(world, survey) == "draft"
    assert client.post(page(world, "survey_open", survey)).status_code == 200
    assert status_of(world, survey) == "draft"
    done = client.post(page(world, "survey_open", survey), {"confirmed": "1"})
    assert done.status_code == 302
    assert status_of(world, survey) == "open"


def test_members_may_not_open_a_survey(world, client_for):
    survey, _question = draft(world)
    url = page(world, "survey_open", survey)
    assert client_for(world.member).get(url).status_code == 403
    assert client_for(world.member).post(url, {"confirmed": "1"}).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert status_of(world, survey) == "draft"


def test_a_survey_cannot_open_after_its_closing_date_and_the_page_says_how_to_fix(
    world, client_for
):
    survey, _question = draft(world, closes_on=TODAY - dt.timedelta(days=1))
    with scope(organization=world.org_a), pytest.raises(ValidationError, match="has passed"):
        services.survey_open(actor=world.convener, survey=survey)
    client = client_for(world.convener)
    confirmation = client.get(page(world, "survey_open", survey)).content.decode()
    assert f"The closing date ({date_format(dt.date(2026, 5, 11))}) has passed" in confirmation
    assert "Change the closing date" in confirmation
    assert f"{page(world, 'survey', survey)}#dates" in confirmation
    refused = client.post(page(world, "survey_open", survey), {"confirmed": "1"})
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "Change the closing date to today or later, then open the survey." in text
    assert status_of(world, survey) == "draft"
    # The fix: change the date, then open.
    saved = client.post(page(world, "survey_dates", survey), {"closes_on": "2026-05-30"})
    assert saved.status_code == 302
    client.post(page(world, "survey_open", survey), {"confirmed": "1"})
    assert status_of(world, survey) == "open"


def test_the_closing_date_can_be_changed_while_open_but_not_into_the_past(world, client_for):
    survey, _question = draft(world, closes_on=TODAY + dt.timedelta(days=3))
    with scope(organization=world.org_a):
        services.survey_open(actor=world.convener, survey=survey)
    client = client_for(world.convener)
    builder = client.get(page(world, "survey", survey)).content.decode()
    assert 'name="closes_on"' in builder and 'value="2026-05-15"' in builder
    assert client.post(page(world, "survey_dates", survey), {"closes_on": "2026-06-30"})
    with scope(organization=world.org_a):
        survey.refresh_from_db()
        assert survey.closes_on == dt.date(2026, 6, 30)
        event = AuditEvent.objects.get(verb="evaluation.survey_dates_changed")
        assert event.data["closes_on"] == {"from": "2026-05-15", "to": "2026-06-30"}
    refused = client.post(
        page(world, "survey_dates", survey), {"closes_on": "2026-05-01"}, follow=True
    )
    assert "The closing date cannot be in the past" in refused.content.decode()
    with scope(organization=world.org_a):
        survey.refresh_from_db()
        assert survey.closes_on == dt.date(2026, 6, 30)
    assert (
        client_for(world.member)
        .post(page(world, "survey_dates", survey), {"closes_on": ""})
        .status_code
        == 403
    )


def test_a_member_sees_a_closed_survey_is_closed_before_filling_it(world, client_for):
    survey, _question = draft(world, closes_on=TODAY)
    with scope(organization=world.org_a):
        services.survey_open(actor=world.convener, survey=survey)
    member = client_for(world.member)
    assert "What helped most?" in member.get(page(world, "survey_respond", survey)).content.decode()
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        response = member.get(page(world, "survey_respond", survey))
        text = response.content.decode()
        assert response.status_code == 200
        closed = date_format(dt.date(2026, 5, 12))
        assert f"This survey closed on {closed}: answers are no longer accepted." in text
        assert "What helped most?" not in text and "Send my answers" not in text
        listing = member.get(
            reverse(
                "evaluation:surveys",
                kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
            )
        ).content.decode()
        assert page(world, "survey_respond", survey) not in listing
    # Closed by hand: the same notice, no form.
    with scope(organization=world.org_a):
        services.survey_close(actor=world.convener, survey=survey)
    text = member.get(page(world, "survey_respond", survey)).content.decode()
    assert "This survey is closed: answers are no longer accepted." in text
    assert "What helped most?" not in text


def test_answers_sent_after_the_survey_closed_stay_in_the_form(world, client_for):
    survey, question = draft(world, closes_on=TODAY)
    with scope(organization=world.org_a):
        services.survey_open(actor=world.convener, survey=survey)
    member = client_for(world.member)
    member.get(page(world, "survey_respond", survey))
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        response = member.post(
            page(world, "survey_respond", survey), {f"q{question}": "The huddles, every week"}
        )
    text = response.content.decode()
    assert response.status_code == 200
    assert "This survey closed on 2026-05-12, so your answers were not recorded." in text
    assert "The huddles, every week" in text
    with scope(organization=world.org_a):
        assert not SurveyRespondent.objects.filter(survey=survey).exists()


def test_answers_sent_after_a_manager_closed_the_survey_stay_in_the_form(world, client_for):
    survey, question = draft(world)
    with scope(organization=world.org_a):
        services.survey_open(actor=world.convener, survey=survey)
        services.survey_close(actor=world.convener, survey=survey)
    response = client_for(world.member).post(
        page(world, "survey_respond", survey), {f"q{question}": "Peer visits"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "closed while you were answering" in text and "Peer visits" in text


def test_the_api_refuses_answers_after_the_closing_date_in_the_one_error_shape(world, client_for):
    survey, question = draft(world, closes_on=TODAY)
    with scope(organization=world.org_a):
        services.survey_open(actor=world.convener, survey=survey)
    url = (
        f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}"
        f"/evaluation/surveys/{survey.pk}/responses/"
    )
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        response = client_for(world.member).post(
            url, {"answers": {str(question): "x"}}, content_type="application/json"
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert "closed on 2026-05-12" in error["message"]
