"""In the browser: the PDSA Plan page is short (the later stages live on their own
pages; the optional links are folded away) and does not scroll sideways at 320 px.
Before the stages, the one long form was 3,077 px high at 1280 px."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
PAGE_HEIGHT = "document.documentElement.scrollHeight"


def test_the_plan_page_is_short_and_fits_a_phone(world, browser_login):
    page = browser_login(world.member.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/o/{world.org_a.slug}/knowledge/tests/new/")
    form = page.locator("form.pdsa-form").inner_text()
    assert "Aim, question and prediction" in form and "Plan: who, what, when, where" in form
    assert "What happened" not in form  # Do, Study and Act have their own pages
    height = page.evaluate(PAGE_HEIGHT)
    assert height < 1600, height
    # The optional site, measures and tags open without JavaScript (a <details>).
    assert not page.get_by_label("Site").is_visible()
    page.locator("summary", has_text="Site, measures and tags (optional)").click()
    assert page.get_by_label("Site").is_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/o/{world.org_a.slug}/knowledge/tests/new/")
    steps = [line.strip() for line in page.locator("nav.pdsa-steps").inner_text().splitlines()]
    assert [s for s in steps if s in ("Plan", "Do", "Study", "Act")] == [
        "Plan",
        "Do",
        "Study",
        "Act",
    ]
    assert not page.evaluate(SCROLLS_SIDEWAYS)


def test_study_shows_the_prediction_beside_the_results(world, browser_login):
    from django_scopes import scope

    from knowledge import services

    with scope(organization=world.org_a):
        test = services.test_of_change_create(
            actor=world.member,
            community=world.community_a,
            title="Screen at triage",
            change_idea="qSOFA on arrival",
            prediction="Eight in ten adults screened within 15 minutes",
        )
        services.test_of_change_save_stage(
            actor=world.member, test=test, stage="do", do_what_happened="Screened 40 adults"
        )
    page = browser_login(world.member.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/o/{world.org_a.slug}/knowledge/tests/{test.pk}/study/")
    prediction = page.locator(".pdsa-prediction")
    assert "Eight in ten adults screened within 15 minutes" in prediction.inner_text()
    results = page.get_by_label("Results against the prediction")
    left, right = prediction.bounding_box(), results.bounding_box()
    assert left and right and left["x"] + left["width"] <= right["x"]  # side by side
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(SCROLLS_SIDEWAYS)
