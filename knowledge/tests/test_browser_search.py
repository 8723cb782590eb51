"""Browser journey on the demo: the member searches "grab bag" from the header box and
finds the asset, the PDSA tests, the discussion posts and the transcript moment, each
opening at its place, and nothing of the other organization."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope, scopes_disabled

from communities.models import Community
from copcore.demo import DEMO_PASSWORD, seed_demo
from copcore.models import Organization, User
from copcore.tests.test_demo_crawl import reference_data
from knowledge import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_finds_grab_bag_everywhere_and_nothing_of_another_organization(browser_login):
    reference_data()
    seed_demo()
    with scopes_disabled():
        other = Community.objects.exclude(organization__slug="northshore").first()
        outsider = User.objects.get(email="outsider@example.org")
        org = Organization.objects.get(pk=other.organization_id)
    with scope(organization=org):
        services.field_note_create(
            actor=outsider, community=other, title="Their grab bag secret",
            body="A grab bag note of another organization.",
        )  # fmt: skip
    page = browser_login("member@example.org", DEMO_PASSWORD)
    page.goto("/o/northshore/")
    box = page.get_by_role("search").get_by_label("Search everything")
    box.fill("grab bag")
    box.press("Enter")
    page.wait_for_load_state()
    results = page.locator("main").inner_text()
    assert "results for “grab bag”" in results
    for kind in ("Asset", "PDSA test", "Discussion post", "Transcript", "Field note"):
        assert kind in results, kind
    assert "Antibiotic grab bag, cycle 1" in results
    assert "Their grab bag secret" not in results
    # The transcript moment opens the session page at that cue.
    page.get_by_role("link", name=re.compile(r"Sepsis ECHO clinic \d+:\d\d")).first.click()
    page.wait_for_load_state()
    assert re.search(r"#cue-\d+$", page.url)
    cue = page.locator(":target")
    assert "grab bag" in cue.inner_text()
    page.go_back()
    page.wait_for_load_state()
    # A post opens at its anchor in the thread.
    post = page.locator("li.search-result", has_text="Discussion post").first
    post.get_by_role("link").click()
    page.wait_for_load_state()
    assert re.search(r"#post-\d+$", page.url)
    assert "grab bag" in page.locator(":target").inner_text().lower()
    # A PDSA test opens on its page.
    page.go_back()
    page.wait_for_load_state()
    page.get_by_role("link", name="Antibiotic grab bag, cycle 1").click()
    page.wait_for_load_state()
    assert "Antibiotic grab bag, cycle 1" in page.locator("main").inner_text()
