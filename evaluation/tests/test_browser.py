"""Browser journeys: from a barrier to a strategy in the follow-through view, and a
member answering an anonymous survey (the pages work without JavaScript)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from evaluation import services
from evaluation.models import Response, SurveyRespondent
from evaluation.tests.helpers import enrol, make_survey

pytestmark = pytest.mark.browser


def _url(world, name, **kwargs):
    return reverse(
        f"evaluation:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def test_convener_maps_a_barrier_to_a_strategy(world, browser_login):
    with scope(organization=world.org_a):
        enrol(world)
    page = browser_login(world.convener.email)
    page.goto(_url(world, "cfir_rounds"))
    page.get_by_role("link", name="Start a round").click()  # the form has its own page
    page.get_by_label("Title").fill("Baseline")
    page.get_by_role("button", name="Create the round").click()
    page.wait_for_load_state()
    assert "The assessment round has been created." in page.content()
    page.get_by_role("link", name=world.site_a.name).click()
    page.wait_for_load_state()
    page.locator("fieldset", has_text="III.G Relative Priority").get_by_label(
        "Rating"
    ).select_option("-2")
    page.locator("fieldset", has_text="III.G Relative Priority").get_by_label("Evidence").fill(
        "Winter pressures come first"
    )
    page.get_by_role("button", name="Save the ratings").click()
    page.wait_for_load_state()
    cell = page.locator("table.cfir-heat tr", has_text="III.G Relative Priority").locator("td")
    assert cell.inner_text().strip().startswith("−2")
    page.goto(_url(world, "follow_through"))
    assert "No strategy" in page.content()
    page.goto(page.url.replace("follow-through/", "cfir/"))
    page.get_by_role("link", name="Baseline").click()
    page.wait_for_load_state()
    cell.get_by_role("link").click()  # the barrier's cell links to its page
    page.wait_for_load_state()
    page.get_by_label("ERIC strategy").select_option(label="Conduct cyclical small tests of change")
    page.get_by_role("button", name="Choose").click()
    page.wait_for_load_state()
    assert "Strategy chosen" in page.content()
    page.goto(_url(world, "follow_through"))
    row = page.locator("table.follow-through tbody tr").first
    assert "Conduct cyclical small tests of change" in row.inner_text()
    assert "No test" in row.inner_text() and "No measure" in row.inner_text()


def test_member_answers_an_anonymous_survey(world, browser_login):
    with scope(organization=world.org_a):
        survey, _question = make_survey(world)
        services.survey_open(actor=world.convener, survey=survey)
    page = browser_login(world.member.email)
    page.goto(_url(world, "surveys"))
    page.get_by_role("link", name="Answer").click()
    page.wait_for_load_state()
    assert "cannot be linked to you" in page.content()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert "your answers have been recorded" in page.content()
    with scope(organization=world.org_a):
        assert SurveyRespondent.objects.filter(survey=survey, user=world.member).exists()
        assert Response.objects.get(survey=survey).respondent is None


def test_builder_shows_the_fields_of_the_chosen_kind(world, browser_login):
    with scope(organization=world.org_a):
        survey = services.survey_create(
            actor=world.convener, community=world.community_a, title="Built", purpose="other"
        )
    page = browser_login(world.convener.email)
    page.goto(_url(world, "survey", survey_id=survey.pk))
    page.get_by_label("Kind").select_option("text")
    assert not page.get_by_label("Options (one per line)").is_visible()
    page.get_by_label("Kind").select_option("single")
    assert page.get_by_label("Options (one per line)").is_visible()
    page.locator("#id_text").fill("Which session helped most?")
    page.get_by_label("Options (one per line)").fill("ECHO\nHuddles")
    page.get_by_role("button", name="Add the question").click()
    page.wait_for_load_state()
    assert "The question has been added." in page.content()
