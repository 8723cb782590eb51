"""Charter drafts, immutable numbered versions, comparison and acknowledgements."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.charter_diff import charter_diff
from communities.models import CharterVersion

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(
        f"communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def test_publishing_numbers_versions_and_keeps_them_unchanged(world, client_for):
    client = client_for(world.convener)
    response = client.post(url("charter_edit", world), {"purpose": "", "publish": "1"})
    assert "at least its purpose" in response.content.decode()
    client.post(
        url("charter_edit", world), {"purpose": "Faster sepsis care\nFor all", "publish": "1"}
    )
    response = client.post(
        url("charter_edit", world), {"purpose": "Faster sepsis care\nFor all", "publish": "1"}
    )
    assert "The draft is the same as version 1." in response.content.decode()
    client.post(
        url("charter_edit", world),
        {
            "purpose": "Faster sepsis care\nFor every patient",
            "norms": "Be kind",
            "publish": "1",
            "change_note": "Wider purpose",
        },
    )
    with scope(organization=world.org_a):
        versions = list(
            CharterVersion.objects.filter(community=world.community_a).order_by("number")
        )
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].purpose == "Faster sepsis care\nFor all"  # untouched by the edit
        # Saving the draft never changes a published version.
        services.charter_draft_update(
            actor=world.convener, community=world.community_a, sections={"purpose": "Other"}
        )
        versions[1].refresh_from_db()
        assert versions[1].purpose == "Faster sepsis care\nFor every patient"


def test_compare_marks_added_and_removed_lines_in_words(world, client_for):
    with scope(organization=world.org_a):
        for purpose in ("Line one\nLine two", "Line one\nLine three"):
            services.charter_draft_update(
                actor=world.convener, community=world.community_a, sections={"purpose": purpose}
            )
            services.charter_publish(actor=world.convener, community=world.community_a)
        old, new = CharterVersion.objects.filter(community=world.community_a).order_by("number")
        purpose = charter_diff(old, new)[0]
        assert purpose.changed
        assert [(line.kind, line.text) for line in purpose.lines] == [
            ("same", "Line one"),
            ("removed", "Line two"),
            ("added", "Line three"),
        ]
    page = client_for(world.member).get(url("charter_compare", world), {"from": 1, "to": 2})
    text = page.content.decode()
    assert "<del>Line two</del>" in text and "<ins>Line three</ins>" in text
    assert "removed" in text and "added" in text
    assert "<caption>" in text
    bad = client_for(world.member).get(url("charter_compare", world), {"from": "x", "to": 9})
    assert bad.status_code == 200 and "Choose two published versions" in bad.content.decode()


def test_members_acknowledge_the_current_version_and_the_convener_sees_who_has_not(
    world, client_for
):
    with scope(organization=world.org_a):
        services.charter_draft_update(
            actor=world.convener, community=world.community_a, sections={"purpose": "P1"}
        )
        first = services.charter_publish(actor=world.convener, community=world.community_a)
        services.charter_draft_update(
            actor=world.convener, community=world.community_a, sections={"purpose": "P2"}
        )
        services.charter_publish(actor=world.convener, community=world.community_a)
        with pytest.raises(ValidationError, match="current version"):
            services.charter_acknowledge(actor=world.member, version=first)
    client_for(world.member).post(url("charter_acknowledge", world, version_number=2))
    page = client_for(world.convener).get(url("charter", world)).content.decode()
    table = page.split("Who has acknowledged version 2", 1)[1].split("</table>", 1)[0]
    assert 'Manu Member</td><td><span aria-hidden="true">✓' in table
    assert 'Stella Steward</td><td><span aria-hidden="true">✗</span> Not yet' in table
    assert "Sam Sponsor" not in table  # sponsors are not asked to acknowledge
    assert (
        "You have acknowledged this version."
        in client_for(world.member).get(url("charter", world)).content.decode()
    )
