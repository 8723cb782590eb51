"""The progress-ratings and portfolio API: list and create with the one error shape,
pagination, 403 for the wrong role and 404 for another organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from evaluation import services
from measurement.models import SiteEnrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(world):
    with scope(organization=world.org_a):
        SiteEnrolment.objects.create(
            organization=world.org_a,
            community=world.community_a,
            site=world.site_a,
            enrolled_on=timezone.localdate() - dt.timedelta(days=90),
        )
        services.site_team_lead_set(
            actor=world.convener,
            community=world.community_a,
            site=world.site_a,
            team_lead=world.member,
        )
    return world


def _api(world):
    cop = f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}"
    return f"{cop}/evaluation/progress-ratings/"


def test_lead_creates_and_everyone_lists(lead, client_for):
    member = client_for(lead.member)
    created = member.post(
        _api(lead),
        {"site": lead.site_a.pk, "kind": "self", "score": "2.5", "note": "Two PDSAs"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["score"] == "2.5" and body["level"] == "2.5 Changes tested but no improvement"
    assert body["month"] == timezone.localdate().replace(day=1).isoformat()
    listed = client_for(lead.sponsor).get(_api(lead), {"kind": "self"}).json()
    assert listed["count"] == 1 and listed["results"][0]["note"] == "Two PDSAs"
    assert client_for(lead.sponsor).get(_api(lead), {"month": "1999-01"}).json()["count"] == 0


def test_errors_have_the_one_shape(lead, client_for):
    member = client_for(lead.member)
    bad = member.post(
        _api(lead),
        {"site": lead.site_a.pk, "kind": "self", "score": "2.2"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]) == {"code", "message", "fields"}
    assert "score" in bad.json()["error"]["fields"]
    foreign = member.post(
        _api(lead),
        {"site": lead.site_b.pk, "kind": "self", "score": "2.0"},
        content_type="application/json",
    )
    assert foreign.status_code == 400 and "site" in foreign.json()["error"]["fields"]
    sponsor = client_for(lead.sponsor).post(
        _api(lead),
        {"site": lead.site_a.pk, "kind": "self", "score": "2.0"},
        content_type="application/json",
    )
    assert sponsor.status_code == 403 and sponsor.json()["error"]["code"] == "permission_denied"
    faculty = member.post(
        _api(lead),
        {"site": lead.site_a.pk, "kind": "faculty", "score": "2.0"},
        content_type="application/json",
    )
    assert faculty.status_code == 403
    assert client_for(lead.outsider).get(_api(lead)).status_code == 404


def test_portfolio_api(lead, client_for):
    url = f"/api/v1/o/{lead.org_a.slug}/portfolio/"
    admin = client_for(lead.convener).get(url)
    assert admin.status_code == 200
    body = admin.json()
    assert body["count"] == 1 and body["results"][0]["community"] == "sepsis"
    assert body["results"][0]["sites"] == 1
    assert client_for(lead.sponsor).get(url).status_code == 200
    denied = client_for(lead.member).get(url)
    assert denied.status_code == 403 and set(denied.json()["error"]) == {
        "code",
        "message",
        "fields",
    }
    assert client_for(lead.outsider).get(url).status_code == 404
