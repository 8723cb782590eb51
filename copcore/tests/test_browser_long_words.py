"""A 200-character word in a name never widens a page for everyone (it widened the
organization home to 3,022 px): user text wraps anywhere, card grids never ask for more
than the column, and the members table scrolls inside its own region (WCAG 1.4.10)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [320, 1280])
def test_a_200_character_word_wraps_on_the_org_home_and_overview(world, browser_login, width):
    word = "Sepsis" + "x" * 190
    with scope(organization=world.org_a):
        world.community_a.name = f"CoP {word}"
        world.community_a.problem = f"Problem {word} described"
        world.community_a.save(update_fields=["name", "problem"])
    page = browser_login(world.convener.email)
    page.set_viewport_size({"width": width, "height": 900})
    for address in (
        reverse("org_home", kwargs={"org_slug": world.org_a.slug}),
        reverse(
            "communities:detail",
            kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
        ),
        reverse(
            "communities:members",
            kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
        ),
    ):
        page.goto(address)
        if "members" not in address:
            assert word in page.locator("main").inner_text().replace("\n", "")
        assert not page.evaluate(WIDE), (
            address,
            page.evaluate("document.documentElement.scrollWidth"),
        )
