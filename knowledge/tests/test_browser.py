"""Browser journey in headless Chromium: a member posts a field note with an attachment
and submits it; the convener finds it in the curation queue, promotes it and publishes
the asset; the member then finds it by searching."""

from __future__ import annotations

import pytest
from django_scopes import scope

from knowledge.models import Asset, AssetStatus

pytestmark = pytest.mark.browser


def test_a_field_note_becomes_a_published_searchable_asset(world, browser_login, tmp_path):
    attachment = tmp_path / "timings.csv"
    attachment.write_text("hour,minutes to antibiotics\n2,95\n14,40\n")
    page = browser_login(world.member.email)
    page.goto(f"/o/{world.org_a.slug}/knowledge/notes/new/")
    page.get_by_label("Community").select_option(str(world.community_a.pk))
    page.get_by_label("Title").fill("Night antibiotics run late")
    page.locator("#id_body").fill("Doses at night wait for the pharmacist round.")
    page.get_by_label("Attachments (optional)").set_input_files(str(attachment))
    page.get_by_role("button", name="Post").click()
    page.wait_for_load_state()
    assert "Your field note has been posted." in page.content()
    assert "timings.csv" in page.content()
    page.get_by_role("button", name="Submit for curation").click()
    page.wait_for_load_state()
    assert "Waiting for curation" in page.content()
    page.get_by_role("button", name="Log out").click()

    page = browser_login(world.convener.email)
    page.goto(f"/o/{world.org_a.slug}/knowledge/curation/")
    page.get_by_role("link", name="Night antibiotics run late").click()
    assert page.locator("#id_reason").is_visible()  # before a decision is chosen
    page.get_by_label("Promote to an asset draft").check()
    # knowledge.js: no reason is needed to promote, but the asset kind is.
    assert not page.locator("#id_reason").is_visible()
    assert page.locator("#id_kind").is_visible()
    page.get_by_label("Kind of asset (when promoting)").select_option("lesson_learned")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert "Came from" in page.content()
    page.get_by_label("Publish").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert "The asset is published." in page.content()
    with scope(organization=world.org_a):
        asset = Asset.objects.get(title="Night antibiotics run late")
        assert asset.status == AssetStatus.PUBLISHED
    page.get_by_role("button", name="Log out").click()

    page = browser_login(world.member.email)
    page.goto(f"/o/{world.org_a.slug}/knowledge/search/")
    page.get_by_label("Search words").fill("pharmacist")
    page.locator("main").get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    results = page.locator("table.asset-table").inner_text()
    assert "Night antibiotics run late" in results
    assert page.locator("mark").first.inner_text().lower() == "pharmacist"
