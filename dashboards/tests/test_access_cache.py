"""Access is cached under version tokens that database triggers change: a warm dashboard
reads two tokens instead of resolving who may see it, and a change of role, group or
membership takes effect on the very next request, whatever wrote it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from communities.models import CommunityRoleAssignment
from communities.services import role_end
from copcore.models import AccessVersion, OrganizationMembership
from copcore.permissions import CommunityRole


def _dashboard(world):
    return reverse(
        "dashboards:dashboard_home",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )


def _token() -> str | None:
    return AccessVersion.objects.values_list("token", flat=True).first()


def test_a_warm_dashboard_reads_tokens_not_permissions(world, dash, client_for):
    client = client_for(world.sponsor)
    url = _dashboard(world)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    tables = " ".join(q["sql"] for q in captured)
    # Session, user, the access version (tenancy) and the data version: nothing else.
    assert len(captured) == 4, [q["sql"][:80] for q in captured]
    for table in ("guardian_", "communities_community", "copcore_organizationmembership"):
        assert table not in tables


def test_an_ended_role_takes_effect_on_the_next_request(world, dash, client_for):
    client = client_for(world.sponsor)
    url = _dashboard(world)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # now served from the cache
    with scope(organization=world.org_a):
        assignment = CommunityRoleAssignment.objects.get(
            community=world.community_a, user=world.sponsor, role=CommunityRole.SPONSOR
        )
        role_end(actor=world.convener, assignment=assignment)
    assert client.get(url).status_code == 404


def test_a_permission_removed_by_any_route_takes_effect(world, dash, client_for):
    """Even a write that bypasses the services (here the group membership through which
    guardian grants the role's permissions) changes the access version, because the
    triggers sit on the tables."""
    client = client_for(world.steward)
    url = _dashboard(world)
    assert client.get(url).status_code == 200
    before = _token()
    world.steward.groups.clear()
    assert _token() != before
    assert client.get(url).status_code == 404


def test_a_removed_membership_takes_effect_on_the_next_request(world, client_for):
    client = client_for(world.member)
    url = reverse("org_home", kwargs={"org_slug": world.org_a.slug})
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    with scopes_disabled():
        OrganizationMembership.objects.filter(user=world.member, organization=world.org_a).delete()
    assert client.get(url).status_code == 404
