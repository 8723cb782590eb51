"""The charter's first draft is written from the design (issue 21): the convener opens
an empty charter and finds the purpose, roles and rhythm already drafted, in their own
language; nothing is saved until they save, and a written draft is never overwritten."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from communities import selectors, services
from communities.models import CharterDraft, Rhythm
from communities.tests.helpers import complete_design

pytestmark = pytest.mark.django_db


def _edit_url(world):
    return reverse(
        "communities:charter_edit",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )


def test_an_empty_charter_opens_with_a_draft_from_the_design(world, client_for):
    complete_design(world, publish=False)
    with scope(organization=world.org_a):
        services.community_design_save(
            actor=world.convener,
            community=world.community_a,
            step="rhythm",
            values={"rhythm": [Rhythm.MONTHLY_ALL_HANDS], "rhythm_notes": "Tuesdays 18:00"},
        )
    page = client_for(world.convener).get(_edit_url(world))
    text = page.content.decode()
    assert "This first draft is written from the community" in text
    for expected in (
        "**Problem.** Late sepsis",
        "- Problem solving",
        "- Time to antibiotics &lt; 1h",
        "**Target audiences.** Emergency teams",
        "Convener (leader): Connie Convener",
        "Moderator: Mo Moderator",
        "- Monthly all-hands (case-based)",
        "- Tuesdays 18:00",
    ):
        assert expected in text, expected
    with scope(organization=world.org_a):
        assert not CharterDraft.objects.filter(community=world.community_a).exists()


def test_the_first_draft_is_in_the_conveners_language(world):
    complete_design(world, publish=False)
    with scope(organization=world.org_a), translation.override("es"):
        draft = selectors.charter_first_draft(community=world.community_a)
    assert "**Problema.** Late sepsis" in draft["purpose"]
    assert (
        "Convocante (líder)" in draft["decision_rights"]
        or "convocante" in draft["decision_rights"].lower()
    )


def test_a_written_draft_is_never_replaced(world, client_for):
    complete_design(world, publish=False)
    with scope(organization=world.org_a):
        services.charter_draft_update(
            actor=world.convener, community=world.community_a, sections={"norms": "Be kind"}
        )
    text = client_for(world.convener).get(_edit_url(world)).content.decode()
    assert "This first draft is written" not in text
    assert "**Problem.**" not in text
    assert "Be kind" in text
