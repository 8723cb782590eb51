"""Browser journey in headless Chromium: a data steward uploads a Spanish file whose
columns and codes are not the CoP's, maps them on the check page, asks for a site the
CoP lacks, imports, and the next file is read through the saved mapping."""

from __future__ import annotations

import pytest
from django_scopes import scope

from copcore.tests.test_accessibility import AXE, violations
from measurement.models import ImportCodeRequest, Observation
from measurement.tests.test_import_profiles import SPANISH, SPANISH_COLUMNS, profile_world

# axe is injected as a script of the test's own: the browser lets it past the pages' CSP.
pytestmark = [pytest.mark.browser, pytest.mark.bypass_csp]


def test_steward_maps_a_spanish_file_and_imports_it(world, browser_login, tmp_path):
    profile_world(world)
    cop = f"/o/{world.org_a.slug}/communities/{world.community_a.slug}/data"
    upload = tmp_path / "indicadores.csv"
    upload.write_bytes(SPANISH)
    page = browser_login(world.steward.email)
    page.goto(f"{cop}/imports/")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert "Read this file's own names as this CoP's" in main.inner_text()
    assert "map the file's own names below" in main.inner_text()

    for theirs, ours in SPANISH_COLUMNS.items():
        page.get_by_label(theirs, exact=True).select_option(ours)
    page.get_by_role("button", name="Save the mapping and check again").click()
    page.wait_for_load_state()
    text = main.inner_text()
    assert "The mapping is saved for this CoP" in text
    assert "Measure codes" in text and "Site codes" in text
    if AXE.exists():  # every kind of mapping table is on the page now
        assert violations(page) == []

    # The site has no counterpart yet: ask for it, then map what exists.
    page.get_by_role("button", name="Ask for “HSC”").click()
    page.wait_for_load_state()
    assert "Your request has been sent" in main.inner_text()
    with scope(organization=world.org_a):
        assert ImportCodeRequest.objects.filter(code="HSC", status="open").count() == 1
    page.get_by_label("abx60", exact=True).select_option("antibiotics_1h")
    page.get_by_label("hosep", exact=True).select_option("sepsis_cases")
    page.get_by_label("HSC", exact=True).select_option("eastfield")
    page.get_by_label("sex|f", exact=True).select_option("gender|female")
    page.get_by_role("button", name="Save the mapping and check again").click()
    page.wait_for_load_state()
    text = main.inner_text()
    assert "Checked: ready to import" in text
    assert "(saved for this CoP)" in text  # the saved mapping is shown, and editable
    page.get_by_label("Keep the existing values (skip those rows)").check()
    page.get_by_role("button", name="Import 4 rows").click()
    page.wait_for_load_state()
    assert "The data has been imported." in main.inner_text()
    with scope(organization=world.org_a):
        assert Observation.objects.filter(site__code="eastfield").count() == 4

    # The next month's file is read through the saved mapping at once.
    upload.write_bytes(SPANISH.replace(b"01/03/2024", b"01/05/2024").replace(b"/04/", b"/06/"))
    page.goto(f"{cop}/imports/")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    text = main.inner_text()
    assert "Checked: ready to import" in text and "Import 4 rows" in text
