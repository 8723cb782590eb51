"""Browser journey on a 320 px wide screen: a convener opens the roles table, the sponsor's
Change page, is stopped by the confirmation step until a reason is given, and makes the
sponsor co-convener. The error summary takes the focus; axe finds nothing serious."""

from __future__ import annotations

import pytest
from django_scopes import scope

from communities.models import CommunityRoleAssignment
from copcore.models import AuditEvent
from copcore.tests.test_accessibility import AXE, violations

# axe is injected as a script of the test's own: the browser lets it past the pages' CSP.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.bypass_csp,
    pytest.mark.django_db(transaction=True),
]


def _fits(page) -> bool:
    """Nothing wider than the screen: no sideways scrolling of the whole page."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_convener_makes_the_sponsor_co_convener_through_the_confirmation_step(world, browser_login):
    page = browser_login(world.convener.email)
    page.set_viewport_size({"width": 320, "height": 700})
    problems: list[str] = []

    def check(name: str) -> None:
        assert _fits(page), f"{name} is wider than 320 px"
        if AXE.exists():
            problems.extend(f"{name}: {v['id']} {v['nodes']}" for v in violations(page))

    page.goto(f"/o/{world.org_a.slug}/communities/{world.community_a.slug}/roles/")
    check("roles")
    table = page.locator("table.role-terms").first.inner_text()
    assert "Sam Sponsor" in table and "Sponsor (read-only)" in table
    page.get_by_role("link", name="Change the term of Sam Sponsor as Sponsor (read-only)").click()
    check("change page")
    assert page.locator("h1").inner_text() == "Change the term of Sam Sponsor"
    assert page.get_by_label("New role").input_value() == ""  # nothing preselected

    page.get_by_label("New role").select_option("convener")
    page.locator("form", has=page.get_by_label("New role")).get_by_role(
        "button", name="Continue"
    ).click()
    check("confirmation")
    main = page.locator("main").inner_text()
    assert "Confirm the role change" in main and "This grants convening rights" in main

    page.get_by_role("button", name="Confirm the change").click()  # no reason yet
    assert "Give the reason for this change." in page.locator("#error-summary").inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check("confirmation with an error")

    page.get_by_label("Reason").fill("Co-leads the second wave")
    page.get_by_role("button", name="Confirm the change").click()
    assert "The change has been saved." in page.locator("main").inner_text()
    with scope(organization=world.org_a):
        assert CommunityRoleAssignment.objects.filter(user=world.sponsor, role="convener").exists()
        assert (
            AuditEvent.objects.filter(verb="community.role_ended").latest("id").data["reason"]
            == "Co-leads the second wave"
        )
    assert not problems, "\n".join(problems)
