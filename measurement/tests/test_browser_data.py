"""Browser journey in headless Chromium: a data steward uploads a file, reads the dry
run, imports it, completes a period in the grid and submits it; the convener approves."""

from __future__ import annotations

import pytest
from django_scopes import scope

from measurement.models import Observation
from measurement.tests.helpers import FIXTURES, data_world

pytestmark = pytest.mark.browser


def test_steward_uploads_enters_and_convener_approves(world, browser_login):
    data = data_world(world)
    cop = f"/o/{world.org_a.slug}/communities/{data.community.slug}/data"
    page = browser_login(world.steward.email)
    page.goto(f"{cop}/imports/")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(FIXTURES / "valid.csv"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "Checked: ready to import" in page.content()
    page.get_by_label("Keep the existing values (skip those rows)").check()
    page.get_by_role("button", name="Import 5 rows").click()
    page.wait_for_load_state()
    assert "The data has been imported." in page.content()

    page.goto(f"{cop}/sites/{data.site_gh.pk}/entry/?frequency=monthly&period=2024-03-01")
    page.get_by_label("Value falls Total").fill("7")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "1 value kept as a draft." in page.content()
    assert page.get_by_label("Value falls Total").input_value() == "7"
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_load_state()
    assert "1 value submitted." in page.content()
    page.get_by_role("button", name="Log out").click()

    page = browser_login(world.convener.email)
    page.goto(f"{cop}/review/")
    page.get_by_role("button", name="Approve all of upload").first.click()
    page.wait_for_load_state()
    assert "5 rows approved." in page.content()
    with scope(organization=world.org_a):
        statuses = dict(Observation.objects.values_list("measure__code", "status").filter(
            period="2024-03-01"
        ))  # fmt: skip
        approved = Observation.objects.filter(status="approved").count()
    assert statuses == {"falls": "submitted"} and approved == 5
