"""Concluding and archiving a CoP ask first: a valid POST without ``confirmed=1`` shows
what will happen instead of acting; archiving needs a reason members read on the
timeline, recorded in the audit event; the API refuses an archive without one (400)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.models import Phase
from communities.tests.helpers import complete_design
from copcore.models import AuditEvent
from evaluation.testing import make_archivable

pytestmark = pytest.mark.django_db


def phase_url(world) -> str:
    return reverse(
        "communities:phase",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )


def current_phase(world) -> str:
    world.community_a.refresh_from_db()
    return world.community_a.phase


def in_conclusion(world, *, archivable: bool = False):
    community, _mod, _fac = complete_design(world)
    with scope(organization=world.org_a):
        services.community_phase_change(
            actor=world.convener, community=community, to_phase="implementation"
        )
        services.community_phase_change(
            actor=world.convener, community=community, to_phase="conclusion", reason="work_done"
        )
        if archivable:
            make_archivable(actor=world.convener, community=community)
    return community


def test_concluding_asks_first(world, client_for):
    complete_design(world)
    with scope(organization=world.org_a):
        services.community_phase_change(
            actor=world.convener, community=world.community_a, to_phase="implementation"
        )
    client = client_for(world.convener)
    body = {"to_phase": "conclusion", "reason": "work_done"}
    page = client.post(phase_url(world), body)
    text = page.content.decode()
    assert page.status_code == 200
    assert "What will happen:" in text and "The work is done" in text
    assert 'name="confirmed" value="1"' in text
    assert current_phase(world) == Phase.IMPLEMENTATION
    done = client.post(phase_url(world), {**body, "note": "Targets met", "confirmed": "1"})
    assert done.status_code == 302
    assert current_phase(world) == Phase.CONCLUSION


def test_archiving_asks_first_and_needs_a_reason_that_is_recorded(world, client_for):
    in_conclusion(world, archivable=True)
    client = client_for(world.convener)
    page = client.post(phase_url(world), {"to_phase": "archived"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "read-only for everyone" in text and "Reason (shown to members on the timeline)" in text
    assert current_phase(world) == Phase.CONCLUSION
    refused = client.post(phase_url(world), {"to_phase": "archived", "confirmed": "1"})
    assert refused.status_code == 400
    assert "Say why the community is archived." in refused.content.decode()
    assert current_phase(world) == Phase.CONCLUSION
    done = client.post(
        phase_url(world),
        {"to_phase": "archived", "confirmed": "1", "note": "Funding period over"},
    )
    assert done.status_code == 302
    assert current_phase(world) == Phase.ARCHIVED
    with scope(organization=world.org_a):
        event = AuditEvent.objects.filter(verb="community.phase_changed").latest("id")
    assert event.data["to"] == "archived" and event.data["note"] == "Funding period over"
    assert "Funding period over" in client.get(phase_url(world)).content.decode()


def test_a_blocked_archive_says_what_is_missing_before_asking(world, client_for):
    in_conclusion(world)
    page = client_for(world.convener).post(phase_url(world), {"to_phase": "archived"})
    text = page.content.decode()
    assert "The results record has not been produced" in text
    assert "What will happen:" not in text


def test_members_cannot_reach_the_confirmation(world, client_for):
    in_conclusion(world, archivable=True)
    body = {"to_phase": "archived", "note": "x", "confirmed": "1"}
    assert client_for(world.member).post(phase_url(world), body).status_code == 403
    assert client_for(world.outsider).post(phase_url(world), body).status_code == 404
    assert current_phase(world) == Phase.CONCLUSION


def test_the_api_refuses_an_archive_without_a_reason(world, client_for):
    in_conclusion(world, archivable=True)
    url = reverse(
        "api_communities:phase",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    client = client_for(world.convener)
    refused = client.post(url, {"to_phase": "archived"}, content_type="application/json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert "note" in error["fields"]
    assert current_phase(world) == Phase.CONCLUSION
    ok = client.post(
        url, {"to_phase": "archived", "note": "Funding over"}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["note"] == "Funding over"
