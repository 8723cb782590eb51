"""Browser journeys of issue 22: a site team lead finds the month's rating waiting for
them, rates it and sees it on the site's trend; a sponsor opens the portfolio from the
dashboards and filters it. Assertions read the visible text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from evaluation import services
from measurement.models import SiteEnrolment

pytestmark = pytest.mark.browser


def _teams(world):
    with scope(organization=world.org_a):
        world.community_a.topic = "Sepsis"
        world.community_a.save(update_fields=["topic"])
        SiteEnrolment.objects.create(
            organization=world.org_a,
            community=world.community_a,
            site=world.site_a,
            enrolled_on=timezone.localdate() - dt.timedelta(days=60),
        )
        services.site_team_lead_set(
            actor=world.convener,
            community=world.community_a,
            site=world.site_a,
            team_lead=world.member,
        )


def test_site_lead_rates_the_month(world, browser_login):
    _teams(world)
    page = browser_login(world.member.email)
    page.goto(f"/o/{world.org_a.slug}/")
    needs = page.get_by_role("region", name="Progress to rate this month")
    assert "progress of General Hospital" in needs.inner_text()
    needs.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert "Self-rating (site team lead)" in page.locator("main").inner_text()
    page.get_by_role("button", name="Save the rating").click()  # nothing chosen yet
    page.wait_for_load_state()
    assert "Choose a level of the scale." in page.locator("main").inner_text()
    page.get_by_label("2.5 Changes tested but no improvement", exact=False).check()
    page.get_by_label("Note").fill("Two PDSA cycles on the screening tool")
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "has been saved" in main
    row = page.locator("table tbody tr").first.inner_text()
    assert "2.5 Changes tested but no improvement" in row
    assert "Two PDSA cycles on the screening tool" in row
    page.goto(f"/o/{world.org_a.slug}/")
    assert "Progress to rate this month" not in page.locator("main").inner_text()


def test_sponsor_reads_the_portfolio(world, browser_login):
    _teams(world)
    with scope(organization=world.org_a):
        services.progress_rate(
            actor=world.convener,
            community=world.community_a,
            site=world.site_a,
            kind="faculty",
            score="3.0",
            may_rate_as_faculty=True,
        )
    page = browser_login(world.sponsor.email)
    page.goto(f"/o/{world.org_a.slug}/dashboards/")
    page.get_by_role("link", name="The portfolio: every community side by side").click()
    page.wait_for_load_state()
    table = page.locator("table.portfolio").inner_text()
    assert "Sepsis CoP" in table
    assert "Median 3.0 (1 of 1 teams)" in table
    assert "1 of 1 sites complete (100%)" in table or "sites complete" in table
    page.get_by_label("Topic").select_option("Sepsis")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "1 of 1 communities shown." in page.locator("main").inner_text()
    # Read-only: no rating link on the CoP's ratings page for a sponsor.
    page.get_by_role("link", name="Ratings").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Progress ratings: Sepsis CoP" in main
    assert "Rate the month" not in main and "Faculty rating for" not in main
