"""Browser journey in headless Chromium against the stub DHIS2 server: the organization
admin connects and tests the server; the mapping is made in the browser (searching the
server's list), previewed and pulled; the pull is imported from its upload page, sent
back with a dry run first; axe-core finds no serious violation on the DHIS2 pages."""

from __future__ import annotations

import pytest
from django_scopes import scope

from copcore.tests.test_accessibility import AXE, violations
from measurement import services
from measurement.models import Observation
from measurement.tests.dhis2_helpers import TOKEN, fill_values, months, stub  # noqa: F401
from measurement.tests.helpers import data_world

pytestmark = [pytest.mark.browser, pytest.mark.bypass_csp]


def _axe(page, problems: list[str]) -> None:
    if AXE.exists():
        problems += [f"{page.url}: {v['id']} {v['help']} {v['nodes']}" for v in violations(page)]


def test_admin_connects_and_steward_maps_previews_pulls_and_sends(world, browser_login, stub):  # noqa: F811
    data = data_world(world)
    fill_values(stub, months(2))
    org = f"/o/{world.org_a.slug}"
    cop = f"{org}/communities/{data.community.slug}/data"
    problems: list[str] = []
    page = browser_login(world.convener.email)
    page.goto(f"{org}/data/dhis2/")
    page.get_by_label("Server address").fill(stub.url)
    page.get_by_label("Personal access token").check()
    page.get_by_label("Token or password").fill(TOKEN)
    page.get_by_label("Allow sending approved data to the server").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "The connection has been saved. Test it below." in page.inner_text("main")
    page.get_by_role("button", name="Test the connection").click()
    page.wait_for_load_state()
    assert "The connection works: DHIS2 2.40.4, signed in as admin." in page.inner_text("main")
    assert TOKEN not in page.content()
    _axe(page, problems)

    page.goto(f"{cop}/dhis2/")
    page.get_by_label("Schedule").select_option("monthly")
    page.get_by_label("Periods to look back").fill("2")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_load_state()
    page.get_by_label("Look in").select_option("organisationUnits")
    page.get_by_label("Name, code or identifier").fill("Ngelehun")
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "DiszpKrYNg8" in page.inner_text("main")
    for site, unit in ((data.site_gh, "DiszpKrYNg8"), (data.site_ch, "Rp268JB6Ne4")):
        page.get_by_label("Site (required)").select_option(str(site.pk))
        page.get_by_label("Organisation unit (identifier or code)").fill(unit)
        page.get_by_role("button", name="Map the site").click()
        page.wait_for_load_state()
    page.get_by_label("Measure (required)").select_option(str(data.bundle.pk))
    page.get_by_label("Numerator from (data element)").fill("deBundleNum")
    page.get_by_label("Denominator from (data element)").fill("deBundleDen")
    page.get_by_role("button", name="Map the measure").click()
    page.wait_for_load_state()
    assert "The mapping has been saved." in page.inner_text("main")
    _axe(page, problems)

    page.get_by_role("link", name="Preview the next pull").click()
    page.wait_for_load_state()
    assert page.inner_text("main").count("New") >= 4
    _axe(page, problems)
    page.goto(f"{cop}/dhis2/")
    page.get_by_role("button", name="Pull now").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "This upload is a pull from DHIS2" in main and "Checked: ready to import" in main
    page.get_by_label("Keep the existing values (skip those rows)").check()
    page.get_by_role("button", name="Import 4 rows").click()
    page.wait_for_load_state()
    assert "The data has been imported." in page.inner_text("main")
    with scope(organization=world.org_a):
        ids = list(Observation.objects.values_list("pk", flat=True))
        services.observations_approve(
            actor=world.convener, community=data.community, observation_ids=ids
        )
    page.goto(f"{cop}/dhis2/send/")
    assert "8 approved values will be sent" in page.inner_text("main")
    page.get_by_role("button", name="Dry run").click()
    page.wait_for_load_state()
    assert "Dry run: what the server would do" in page.inner_text("main") and not stub.posted
    _axe(page, problems)
    page.get_by_role("button", name="Send for real").click()
    page.wait_for_load_state()
    assert "Sent: what the server did" in page.inner_text("main") and len(stub.posted) == 1
    assert not problems, "\n".join(problems)
