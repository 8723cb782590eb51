"""Action items linked to a PDSA test of change (knowledge.TestOfChange)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from copcore.testing import make_community
from knowledge.services import test_of_change_create as create_test
from sessions import services
from sessions.models import ActionItem
from sessions.tests.helpers import make_session, url


def _test(world, community=None):
    with scope(organization=world.org_a):
        return create_test(
            actor=world.member,
            community=community or world.community_a,
            title="Sepsis screening at triage",
            change_idea="Screen every adult with NEWS2 >= 5",
        )


def test_action_item_links_a_pdsa_test_on_the_page(world, client_for):
    session = make_session(world)
    pdsa = _test(world)
    response = client_for(world.convener).post(
        url("sessions:action_item_create", world, session_id=session.pk),
        {
            "action-owner": world.member.pk,
            "action-description": "Run cycle 1 on ward 3",
            "action-due_on": (dt.date.today() + dt.timedelta(days=14)).isoformat(),
            "action-test_of_change": pdsa.pk,
        },
        follow=True,
    )
    assert "The action item has been recorded." in response.text
    assert "PDSA test: Sepsis screening at triage" in response.text
    with scope(organization=world.org_a):
        assert ActionItem.objects.get().test_of_change == pdsa


def test_action_item_refuses_a_test_of_another_community(world, client_for):
    session = make_session(world)
    elsewhere = make_community(world.org_a, world.convener, "Maternity CoP", "maternity")
    pdsa = _test(world, community=elsewhere)
    with scope(organization=world.org_a), pytest.raises(ValidationError):
        services.action_item_create(
            actor=world.convener,
            session=session,
            owner=world.member,
            description="x",
            due_on=dt.date.today(),
            test_of_change=pdsa,
        )
    response = client_for(world.convener).post(
        "/api/v1/o/network-a/communities/sepsis/action-items/",
        {
            "session": session.pk,
            "owner": world.member.pk,
            "description": "Run cycle 1",
            "due_on": "2030-01-01",
            "test_of_change": pdsa.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "test_of_change" in response.json()["error"]["fields"]
    with scope(organization=world.org_a):
        assert not ActionItem.objects.exists()
