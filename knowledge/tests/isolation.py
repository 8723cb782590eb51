"""Path values for the generic isolation test: knowledge objects of organization A."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge import services
from knowledge.models import Asset


def path_values(world) -> dict[str, str]:
    community = world.community_a
    asset = services.asset_create(
        actor=world.convener,
        organization=world.org_a,
        community=community,
        kind=Asset.Kind.CHANGE_PACKAGE,
        title="Sepsis bundle change package",
        body="First text",
        visibility="public",
    )
    services.asset_publish(actor=world.convener, asset=asset)
    item = services.package_item_add(actor=world.convener, package=asset, change_idea="Screen")
    note = services.field_note_create(
        actor=world.member,
        community=community,
        title="Night shift",
        body="Observed delays",
        uploads=[SimpleUploadedFile("obs.txt", b"observations", content_type="text/plain")],
    )
    test = services.test_of_change_create(
        actor=world.member, community=community, title="Cycle 1", change_idea="Screen at triage"
    )
    return {
        "asset_id": asset.pk,
        "version_number": asset.current_version.number,
        "item_id": item.pk,
        "file_id": note.attachments.first().pk,
        "note_id": note.pk,
        "test_id": test.pk,
        "public_id": asset.public_id,
    }
