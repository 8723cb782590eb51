"""Browser journey in headless Chromium: a convener designs a CoP with the wizard,
assigns the leading roles, publishes the charter and moves it to implementation."""

from __future__ import annotations

import pytest
from django_scopes import scope

from communities.models import Community, Phase
from communities.tests.helpers import make_person

pytestmark = pytest.mark.browser


def test_convener_designs_a_cop_and_moves_it_to_implementation(world, browser_login):
    moderator = make_person(world, "mo@a.example", "Mo Moderator")
    facilitator = make_person(world, "fay@a.example", "Fay Facilitator")
    page = browser_login(world.convener.email)
    page.goto(f"/o/{world.org_a.slug}/")
    page.get_by_role("link", name="Create a community").click()
    assert "CoP to coordinate the work program" in page.content()  # the PAHO guidance

    page.locator("#id_name").fill("CoP to define sepsis screening indicators")
    page.get_by_role("button", name="Create and continue").click()
    page.get_by_label("Topic or domain").fill("Sepsis")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Problem statement").fill("Sepsis is recognised late on the wards.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Problem solving").check()
    page.get_by_label("Developing best practices").check()
    page.get_by_role("button", name="Save and continue").click()
    page.locator("#id_description_1").fill("A shared set of screening indicators")
    page.locator("#id_how_checked_1").fill("Adopted by three sites")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Target audiences").fill("Ward nurses and emergency teams")
    page.get_by_role("button", name="Save and continue").click()

    # Members and roles: assign a moderator and a facilitator, then continue.
    assert "Design step 7 of 10" in page.content()
    for person, role in ((moderator, "moderator"), (facilitator, "facilitator")):
        page.locator("#id_user").select_option(str(person.pk))
        page.locator("#id_role").select_option(role)
        page.get_by_role("button", name="Assign").click()
        page.wait_for_load_state()
    roles_table = page.locator("table").first.inner_text()
    assert "Mo Moderator" in roles_table and "Fay Facilitator" in roles_table
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Public: any member of the organization may join").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Start date").fill("2027-01-04")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Weekly office hours").check()
    page.get_by_role("button", name="Save and see the checklist").click()

    # The checklist still asks for a published charter; the gate refuses and says so.
    assert "Design checklist" in page.content()
    assert "A published charter." in page.content()
    page.get_by_role("link", name="Phase and timeline").click()
    page.get_by_label("Move to").select_option("implementation")
    page.get_by_role("button", name="Change the phase").click()
    assert "Missing:" in page.content() and "A published charter." in page.content()

    page.get_by_role("link", name="Charter", exact=True).click()
    page.get_by_role("link", name="Edit the draft and publish").click()
    page.get_by_label("Purpose and shared outcome").fill("Recognise sepsis within the hour.")
    page.get_by_label("Norms").fill("Share failures as readily as successes.")
    page.get_by_role("button", name="Save and publish a new version").click()
    assert "Version 1 has been published." in page.content()

    page.get_by_role("link", name="Phase and timeline").click()
    page.get_by_label("Move to").select_option("implementation")
    page.get_by_role("button", name="Change the phase").click()
    assert "The phase has been changed." in page.content()
    assert "Phase: Implementation" in page.content()

    with scope(organization=world.org_a):
        community = Community.objects.get(name="CoP to define sepsis screening indicators")
        assert community.phase == Phase.IMPLEMENTATION
        assert community.transitions.count() == 1
        assert community.charter_versions.get().norms.startswith("Share failures")
