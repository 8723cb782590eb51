"""Tenancy fails closed: scoped queries, middleware, identical 404s, organization switching."""

import pytest
from django_scopes import ScopeError, scope

from communities.models import Community
from copcore.models import AuditEvent, OrganizationMembership
from copcore.testing import add_member, make_organization
from measurement.models import Site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Community, Site, AuditEvent, OrganizationMembership])
def test_query_outside_a_scope_raises(world, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_scope_shows_only_that_organizations_rows(world):
    with scope(organization=world.org_a):
        assert list(Community.objects.values_list("slug", flat=True)) == ["sepsis"]
        assert list(Site.objects.values_list("code", flat=True)) == ["GH"]
    with scope(organization=world.org_b):
        assert list(Community.objects.values_list("slug", flat=True)) == ["postpartum"]


def test_member_sees_their_organization(world, client_for):
    response = client_for(world.member).get("/o/network-a/")
    assert response.status_code == 200
    assert b"Sepsis CoP" in response.content
    assert b"Postpartum CoP" not in response.content


def test_outsider_gets_the_same_404_as_for_a_missing_organization(world, client_for):
    client = client_for(world.outsider)
    foreign = client.get("/o/network-a/communities/sepsis/")
    missing = client.get("/o/no-such-network/communities/sepsis/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_missing_community_in_own_org_matches_foreign_community(world, client_for):
    client = client_for(world.outsider)
    foreign = client.get("/o/network-b/communities/sepsis/")  # org A's slug, inside org B
    missing = client.get("/o/network-b/communities/nothing-here/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_api_outsider_404_body_is_identical_to_missing(world, client_for):
    client = client_for(world.outsider)
    foreign = client.get("/api/v1/o/network-a/communities/sepsis/")
    missing = client.get("/api/v1/o/nowhere/communities/sepsis/")
    assert foreign.status_code == missing.status_code == 404
    assert (
        foreign.json()
        == missing.json()
        == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
    )


def test_anonymous_is_sent_to_login_on_pages_and_gets_401_from_api(world, client):
    page = client.get("/o/network-a/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    api = client.get("/api/v1/o/network-a/members/")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "not_authenticated"


def test_person_in_two_organizations_can_switch(world, client_for):
    add_member(world.org_b, world.member)
    client = client_for(world.member)
    home = client.get("/")
    assert home.status_code == 200
    assert b"Network A" in home.content and b"Network B" in home.content
    page_a = client.get("/o/network-a/")
    assert b"Switch organization" in page_a.content
    assert b'href="/o/network-b/"' in page_a.content
    page_b = client.get("/o/network-b/")
    assert page_b.status_code == 200 and b"Postpartum CoP" in page_b.content


def test_single_organization_home_redirects_to_it(world, client_for):
    response = client_for(world.member).get("/")
    assert response.status_code == 302 and response["Location"] == "/o/network-a/"


def test_inactive_organization_is_not_found(world, client_for):
    world.org_a.is_active = False
    world.org_a.save()
    assert client_for(world.member).get("/o/network-a/").status_code == 404


def test_new_organization_admin_is_member(db):
    from copcore.testing import UserFactory

    admin = UserFactory()
    organization = make_organization("Fresh", "fresh", admin)
    with scope(organization=organization):
        membership = OrganizationMembership.objects.get(user=admin)
    assert membership.role == "admin"
