"""Versioning: immutable versions, SHA-256, identical content, restore, diff, packages."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.utils import InternalError
from django.urls import reverse

from copcore.models import AuditEvent
from copcore.rendering import render_markdown
from knowledge import services
from knowledge.diffing import diff_lines
from knowledge.models import Asset, AssetVersion
from knowledge.tests.conftest import make_asset, upload
from knowledge.tests.documents import pdf_with_text

pytestmark = pytest.mark.django_db


def test_every_edit_creates_a_new_version_with_author_note_and_hash(scope_a, world):
    asset = make_asset(world, body="Step one")
    result = services.asset_version_create(
        actor=world.member, asset=asset, body="Step one\nStep two", change_note="Added step two"
    )
    assert result.created
    version = result.version
    assert version.number == 2
    assert version.author == world.member
    assert version.change_note == "Added step two"
    assert version.sha256 == services.content_sha256(body="Step one\nStep two", file=None, link="")
    asset.refresh_from_db()
    assert asset.current_version == version
    assert list(asset.versions.values_list("number", flat=True)) == [2, 1]
    assert (
        AuditEvent.objects.filter(verb="knowledge.version_created", target_id=str(asset.pk)).count()
        == 2
    )


def test_saving_identical_content_creates_no_version(scope_a, world):
    asset = make_asset(world, body="Same text")
    events = AuditEvent.objects.count()
    # CRLF from a browser text area is the same text.
    result = services.asset_version_create(
        actor=world.member, asset=asset, body="Same text\r\n", change_note="no change really"
    )
    assert not result.created
    assert result.version.number == 1
    assert asset.versions.count() == 1
    assert AuditEvent.objects.count() == events


def test_the_hash_is_the_sha256_of_the_canonical_content(scope_a, world):
    asset = make_asset(world, body="Text")
    expected = hashlib.sha256(b'{"body": "Text", "file": null, "link": ""}').hexdigest()
    assert asset.current_version.sha256 == expected


def test_restore_writes_a_new_version_and_restoring_the_current_is_a_no_op(scope_a, world):
    asset = make_asset(world, body="Original")
    services.asset_version_create(actor=world.convener, asset=asset, body="Changed")
    first = asset.versions.get(number=1)
    result = services.asset_version_restore(actor=world.member, version=first)
    assert result.created and result.version.number == 3
    assert result.version.body == "Original"
    assert result.version.restored_from == 1
    assert result.version.sha256 == first.sha256
    assert AuditEvent.objects.filter(verb="knowledge.asset_version_restored").exists()
    again = services.asset_version_restore(actor=world.member, version=first)
    assert not again.created
    assert asset.versions.count() == 3


def test_versions_cannot_be_changed_in_the_database(scope_a, world):
    asset = make_asset(world, body="Original")
    version = asset.current_version
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        AssetVersion.objects.filter(pk=version.pk).update(body="Tampered")
    version.refresh_from_db()
    assert version.body == "Original"


def test_file_and_link_versions(scope_a, world):
    asset = make_asset(world, body="", upload=upload("guide.pdf", pdf_with_text("Guide")))
    assert asset.current_version.file.original_name == "guide.pdf"
    # Same file again: identical content, no new version and the file is not stored twice.
    again = services.asset_version_create(
        actor=world.convener, asset=asset, upload=upload("copy.pdf", pdf_with_text("Guide"))
    )
    assert not again.created
    # Text edit keeping the file.
    kept = services.asset_version_create(
        actor=world.convener, asset=asset, body="Read page 2", keep_current_file=True
    )
    assert kept.created and kept.version.file == asset.versions.get(number=1).file
    video = make_asset(world, kind=Asset.Kind.VIDEO, body="", link="https://video.example/x")
    assert video.current_version.link == "https://video.example/x"
    with pytest.raises(ValidationError):
        services.asset_version_create(
            actor=world.convener,
            asset=video,
            link="https://video.example/y",
            upload=upload("a.txt", b"abc", "text/plain"),
        )
    with pytest.raises(ValidationError):
        services.asset_version_create(actor=world.convener, asset=video)


def test_diff_is_readable_without_colour():
    lines = diff_lines("a\nb\nc", "a\nB\nc\nd")
    kinds = [(line.kind, line.text) for line in lines if line]
    assert ("removed", "b") in kinds and ("added", "B") in kinds and ("added", "d") in kinds


def test_compare_page_marks_changes_in_words(scope_a, world, client_for):
    asset = make_asset(world, body="Screen adults\nGive antibiotics")
    services.asset_version_create(
        actor=world.convener, asset=asset, body="Screen adults\nGive antibiotics within 1 hour"
    )
    url = reverse("knowledge:asset_compare", kwargs={"org_slug": "network-a", "asset_id": asset.pk})
    response = client_for(world.member).get(url, {"from": 1, "to": 2})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Removed" in html and "Added" in html
    assert "<del>Give antibiotics</del>" in html
    assert "<ins>Give antibiotics within 1 hour</ins>" in html
    assert "<caption>" in html


def test_version_pages_and_restore_through_the_page(scope_a, world, client_for):
    asset = make_asset(world, body="One")
    services.asset_version_create(actor=world.convener, asset=asset, body="Two")
    client = client_for(world.convener)
    detail = client.get(
        reverse("knowledge:asset_detail", kwargs={"org_slug": "network-a", "asset_id": asset.pk})
    )
    assert detail.status_code == 200 and "Two" in detail.content.decode()
    old = client.get(
        reverse(
            "knowledge:version_detail",
            kwargs={"org_slug": "network-a", "asset_id": asset.pk, "version_number": 1},
        )
    )
    assert "One" in old.content.decode()
    restore_url = reverse(
        "knowledge:version_restore",
        kwargs={"org_slug": "network-a", "asset_id": asset.pk, "version_number": 1},
    )
    # A member who is not an owner or curator may read but not restore.
    assert client_for(world.member).post(restore_url).status_code == 403
    response = client.post(restore_url, follow=True)
    assert "restored as version 3" in response.content.decode()


def test_saving_the_same_content_through_the_page_says_so(scope_a, world, client_for):
    asset = make_asset(world, body="Unchanged")
    url = reverse("knowledge:version_new", kwargs={"org_slug": "network-a", "asset_id": asset.pk})
    response = client_for(world.convener).post(
        url, {"body": "Unchanged", "change_note": "", "keep_current_file": "on"}, follow=True
    )
    assert "no new version was made" in response.content.decode()
    assert asset.versions.count() == 1


def test_markdown_is_sanitised():
    html = render_markdown(
        "# Title\n<script>alert(1)</script>\n[x](javascript:alert(1))", top_heading=2
    )
    assert "<script>" not in html and "javascript:" not in html
    assert "<h2>Title</h2>" in html


def test_change_package_holds_ordered_ideas_and_linked_assets(scope_a, world, client_for):
    checklist = make_asset(world, title="Triage checklist")
    package = make_asset(world, kind=Asset.Kind.CHANGE_PACKAGE, title="Sepsis package")
    first = services.package_item_add(
        actor=world.convener,
        package=package,
        change_idea="Screen at triage",
        linked_asset=checklist,
    )
    second = services.package_item_add(
        actor=world.convener, package=package, change_idea="Antibiotics within 1 hour"
    )
    assert [first.position, second.position] == [1, 2]
    services.package_item_move(actor=world.convener, item=second, direction=-1)
    ordered = list(package.package_items.order_by("position").values_list("change_idea", flat=True))
    assert ordered == ["Antibiotics within 1 hour", "Screen at triage"]
    with pytest.raises(ValidationError):
        services.package_item_add(actor=world.convener, package=checklist, change_idea="x")
    html = (
        client_for(world.member)
        .get(
            reverse(
                "knowledge:asset_detail", kwargs={"org_slug": "network-a", "asset_id": package.pk}
            )
        )
        .content.decode()
    )
    assert html.index("Antibiotics within 1 hour") < html.index("Screen at triage")
    assert "Triage checklist" in html
    services.package_item_remove(actor=world.convener, item=first)
    assert package.package_items.count() == 1
