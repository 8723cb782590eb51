"""Audit: services write events in their transaction; org admins list and filter them."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from communities.models import Community
from copcore.models import AuditEvent
from copcore.services import audit_record
from copcore.testing import make_community, steady_query_count

pytestmark = pytest.mark.django_db


def test_event_records_request_id_and_ip(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        "/o/network-a/communities/new/",
        {"name": "Falls prevention CoP", "slug": ""},
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    with scope(organization=world.org_a):
        event = AuditEvent.objects.get(verb="community.created", target_repr="Falls prevention CoP")
    assert event.actor == world.convener
    assert event.request_id == "req-123"
    assert event.ip_address == "10.1.2.3"
    assert event.target_type == ContentType.objects.get_for_model(Community)


def test_event_rolls_back_with_the_change(world):
    with scope(organization=world.org_a):
        before = AuditEvent.objects.count()
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(organization=world.org_a, actor=world.convener, verb="x.y")
            raise RuntimeError
        assert AuditEvent.objects.count() == before


def test_history_is_kept_for_communities_with_the_user(world, client_for):
    with scope(organization=world.org_a):
        community = Community.objects.get(slug="sepsis")
        assert community.history.count() == 1
        assert community.history.first().history_type == "+"


def test_audit_page_lists_and_filters(world, client_for):
    client = client_for(world.convener)
    page = client.get("/o/network-a/audit/")
    assert page.status_code == 200
    assert b"community.role_assigned" in page.content
    only_created = client.get("/o/network-a/audit/", {"verb": "community.created"})
    assert b"community.role_assigned</code>" not in only_created.content
    assert b"community.created</code>" in only_created.content
    by_actor = client.get("/o/network-a/audit/", {"actor": world.member.pk})
    assert b"No events match these filters." in by_actor.content
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    dated = client.get("/o/network-a/audit/", {"date_from": future})
    assert b"No events match these filters." in dated.content
    type_id = ContentType.objects.get_for_model(Community).pk
    typed = client.get("/o/network-a/audit/", {"target_type": type_id})
    assert b"community.created</code>" in typed.content


def test_audit_page_rejects_inverted_dates_and_keeps_them(world, client_for):
    response = client_for(world.convener).get(
        "/o/network-a/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert b"The end date must not be before the start date." in response.content
    assert b'value="2026-05-02"' in response.content


def test_audit_page_is_for_org_admins(world, client_for):
    assert client_for(world.member).get("/o/network-a/audit/").status_code == 403
    assert client_for(world.outsider).get("/o/network-a/audit/").status_code == 404


def test_audit_page_shows_only_own_organization(world, client_for):
    content = client_for(world.convener).get("/o/network-a/audit/").content
    assert b"Postpartum CoP" not in content


def test_audit_page_is_paginated_with_constant_queries(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.convener)
    for index in range(60):
        make_community(world.org_a, world.convener, f"CoP {index}", f"cop-{index}")
    response = client.get("/o/network-a/audit/")
    assert b"Page 1 of" in response.content
    second = client.get("/o/network-a/audit/", {"page": 2})
    assert second.status_code == 200
    with django_assert_num_queries(steady_query_count(client, "/o/network-a/audit/", {"page": 1})):
        client.get("/o/network-a/audit/", {"page": 3})
