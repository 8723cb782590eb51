"""Test support shared by every app: factories and the persona world.

Kept in the package (not only in conftest) so app tests and benchmarks can build the
same world with one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import factory
from django_scopes import scope, scopes_disabled

from communities.models import Community, CommunityRoleAssignment
from communities.services import community_create, role_assign
from copcore.models import Organization, User
from copcore.permissions import CommunityRole, OrgRole
from copcore.services import membership_add, organization_create
from measurement.models import Site

PASSWORD = "correct-horse-battery-staple"


def _save_user(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
    if create:
        obj.save()


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    _save = factory.post_generation(_save_user)


def make_organization(name: str, slug: str, admin: User) -> Organization:
    with scopes_disabled():
        return organization_create(actor=admin, name=name, slug=slug, admin=admin)


def add_member(organization: Organization, user: User, role: str = OrgRole.MEMBER):
    with scope(organization=organization):
        return membership_add(actor=None, organization=organization, user=user, role=role)


def make_community(organization: Organization, convener: User, name: str, slug: str) -> Community:
    with scope(organization=organization):
        return community_create(actor=convener, organization=organization, name=name, slug=slug)


def give_role(community: Community, user: User, role: str, **term) -> CommunityRoleAssignment:
    with scope(organization=community.organization):
        return role_assign(actor=None, community=community, user=user, role=role, **term)


@dataclass
class World:
    """Organization A with a convener (org admin), member, data steward and sponsor;
    organization B with an outsider (its admin and convener) and data of its own."""

    org_a: Organization
    org_b: Organization
    convener: User
    member: User
    steward: User
    sponsor: User
    outsider: User
    community_a: Community
    community_b: Community
    site_a: Site
    site_b: Site


def build_world() -> World:
    convener = UserFactory.create(email="convener@a.example", display_name="Connie Convener")
    member = UserFactory.create(email="member@a.example", display_name="Manu Member")
    steward = UserFactory.create(email="steward@a.example", display_name="Stella Steward")
    sponsor = UserFactory.create(email="sponsor@a.example", display_name="Sam Sponsor")
    outsider = UserFactory.create(email="outsider@b.example", display_name="Otto Outsider")
    org_a = make_organization("Network A", "network-a", convener)
    org_b = make_organization("Network B", "network-b", outsider)
    for user in (member, steward, sponsor):
        add_member(org_a, user)
    community_a = make_community(org_a, convener, "Sepsis CoP", "sepsis")
    community_b = make_community(org_b, outsider, "Postpartum CoP", "postpartum")
    give_role(community_a, member, CommunityRole.MEMBER)
    give_role(community_a, steward, CommunityRole.DATA_STEWARD)
    give_role(community_a, sponsor, CommunityRole.SPONSOR)
    with scope(organization=org_a):
        site_a = Site.objects.create(organization=org_a, name="General Hospital", code="GH")
    with scope(organization=org_b):
        site_b = Site.objects.create(organization=org_b, name="Maternity Unit", code="MU")
    return World(
        org_a=org_a,
        org_b=org_b,
        convener=convener,
        member=member,
        steward=steward,
        sponsor=sponsor,
        outsider=outsider,
        community_a=community_a,
        community_b=community_b,
        site_a=site_a,
        site_b=site_b,
    )


def steady_query_count(client, url: str, params: dict | None = None) -> int:
    """Queries of one GET of a page in the steady state.

    A first request refills the caches that the test's writes just invalidated (the
    memberships and access cached under the access version), so counts taken before
    and after adding rows compare like with like."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params or {})
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(captured)
