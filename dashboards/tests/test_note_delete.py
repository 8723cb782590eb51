"""Deleting a chart note asks first: a GET page shows the note and what will happen, a
POST without the confirmation flag deletes nothing, and someone else's note needs a
reason that the audit event records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.models import AuditEvent
from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role
from dashboards import services
from dashboards.models import ChartNote

pytestmark = pytest.mark.django_db


def _note(world, dash, author) -> ChartNote:
    with scope(organization=world.org_a):
        return services.chart_note_add(
            actor=author, measure=dash.bundle, period=dt.date(2023, 6, 10), text="New triage nurse"
        )


def _url(world, dash, note) -> str:
    return reverse(
        "dashboards:dashboard_note_delete",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "measure_id": dash.bundle.pk,
            "note_id": note.pk,
        },
    )


def _exists(world, note) -> bool:
    with scope(organization=world.org_a):
        return ChartNote.objects.filter(pk=note.pk).exists()


def test_deleting_your_note_asks_first_and_a_direct_post_deletes_nothing(world, dash, client_for):
    note = _note(world, dash, world.member)
    client = client_for(world.member)
    measure_page = client.get(
        reverse(
            "dashboards:dashboard_measure",
            kwargs={
                "org_slug": world.org_a.slug,
                "community_slug": world.community_a.slug,
                "measure_id": dash.bundle.pk,
            },
        )
    ).content.decode()
    assert f'href="{_url(world, dash, note)}"' in measure_page  # a link, not a one-click form
    page = client.get(_url(world, dash, note))
    text = page.content.decode()
    assert page.status_code == 200
    assert "What will happen:" in text and "New triage nurse" in text
    assert "offers to put the note back" in text
    assert 'name="reason"' not in text  # your own note: no reason asked
    assert client.post(_url(world, dash, note)).status_code == 200
    assert _exists(world, note)
    assert client.post(_url(world, dash, note), {"confirmed": "1"}).status_code == 302
    assert not _exists(world, note)
    with scope(organization=world.org_a):
        event = AuditEvent.objects.get(verb="measurement.chart_note_deleted")
    assert event.data["text"] == "New triage nurse" and event.data["reason"] == ""


def test_deleting_someone_elses_note_needs_a_reason_that_is_recorded(world, dash, client_for):
    note = _note(world, dash, world.member)
    client = client_for(world.convener)
    page = client.get(_url(world, dash, note)).content.decode()
    assert 'name="reason"' in page and "It is not your note" in page
    refused = client.post(_url(world, dash, note), {"confirmed": "1", "reason": "  "})
    assert refused.status_code == 200
    assert "Say why you are deleting someone else&#x27;s note" in refused.content.decode()
    assert _exists(world, note)
    done = client.post(
        _url(world, dash, note), {"confirmed": "1", "reason": "Duplicate of the PDSA test"}
    )
    assert done.status_code == 302 and not _exists(world, note)
    with scope(organization=world.org_a):
        event = AuditEvent.objects.get(verb="measurement.chart_note_deleted")
    assert event.data["reason"] == "Duplicate of the PDSA test"
    assert event.data["author_id"] == world.member.pk


def test_only_the_author_or_a_manager_reaches_the_confirmation(world, dash, client_for):
    note = _note(world, dash, world.member)
    other = UserFactory(email="other@a.example")
    add_member(world.org_a, other)
    give_role(world.community_a, other, CommunityRole.MEMBER)
    assert client_for(other).get(_url(world, dash, note)).status_code == 403
    assert client_for(other).post(_url(world, dash, note), {"confirmed": "1"}).status_code == 403
    assert client_for(world.outsider).get(_url(world, dash, note)).status_code == 404
    assert _exists(world, note)


def test_your_deleted_note_can_be_put_back_once(world, dash, client_for):
    note = _note(world, dash, world.member)
    client = client_for(world.member)
    client.post(_url(world, dash, note), {"confirmed": "1"})
    measure = reverse(
        "dashboards:dashboard_measure",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "measure_id": dash.bundle.pk,
        },
    )
    page = client.get(measure).content.decode()
    assert "Your note “New triage nurse” was deleted." in page
    assert 'name="text" value="New triage nurse"' in page and "Put the note back" in page
    add = reverse(
        "dashboards:dashboard_note_add",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "measure_id": dash.bundle.pk,
        },
    )
    assert client.post(add, {"period": "2023-06-10", "text": "New triage nurse"}).status_code == 302
    with scope(organization=world.org_a):
        back = ChartNote.objects.get(text="New triage nurse")
    assert back.author == world.member and back.period == dt.date(2023, 6, 10)
    assert "Put the note back" not in client.get(measure).content.decode()  # offered once
