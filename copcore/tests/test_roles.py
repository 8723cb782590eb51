"""Roles and permissions: the map, sync_roles into guardian, terms that start and end."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_scopes import scope, scopes_disabled
from guardian.models import GroupObjectPermission

from communities.models import CommunityRoleAssignment
from communities.services import role_end, roles_sync_all
from copcore.models import AuditEvent
from copcore.permissions import (
    ALL_COMMUNITY_PERMISSIONS,
    COMMUNITY_ROLE_PERMISSIONS,
    CommunityRole,
)
from copcore.testing import UserFactory, add_member, give_role

pytestmark = pytest.mark.django_db


def _grant_counts():
    return Group.objects.count(), GroupObjectPermission.objects.count()


def test_sync_roles_is_idempotent(world, capsys):
    call_command("sync_roles")
    first = _grant_counts()
    call_command("sync_roles")
    assert _grant_counts() == first
    # 8 role groups per community, two communities.
    assert Group.objects.filter(name__startswith="community:").count() == 16
    assert "Roles synced for 2 communities" in capsys.readouterr().out


def test_sync_roles_repairs_deleted_grants(world):
    expected = _grant_counts()
    GroupObjectPermission.objects.all().delete()
    roles_sync_all()
    assert _grant_counts() == expected


def test_every_role_maps_to_known_permissions():
    assert set(COMMUNITY_ROLE_PERMISSIONS) == set(CommunityRole.values)
    for perms in COMMUNITY_ROLE_PERMISSIONS.values():
        assert perms <= ALL_COMMUNITY_PERMISSIONS
        assert "communities.view_community" in perms


@pytest.mark.parametrize(
    ("persona", "permission", "expected"),
    [
        ("convener", "communities.edit_charter", True),
        ("convener", "measurement.approve_data", True),
        ("steward", "measurement.submit_data", True),
        ("member", "measurement.submit_data", False),
        ("member", "communities.post_message", True),
        ("sponsor", "communities.view_community", True),
        ("sponsor", "communities.post_message", False),
        ("sponsor", "measurement.view_data", True),
        ("sponsor", "measurement.view_unsuppressed", False),
        ("outsider", "communities.view_community", False),
    ],
)
def test_role_permissions_on_the_community(world, persona, permission, expected):
    user = getattr(world, persona)
    assert user.has_perm(permission, world.community_a) is expected


def test_permissions_do_not_leak_to_another_community(world):
    assert world.outsider.has_perm("communities.edit_charter", world.community_b)
    assert not world.outsider.has_perm("communities.edit_charter", world.community_a)
    assert not world.convener.has_perm("communities.edit_charter", world.community_b)


def test_unknown_permission_fails_closed(world):
    assert not world.convener.has_perm("communities.typo_permission", world.community_a)


def test_role_term_in_the_future_grants_nothing_until_it_starts(world):
    newcomer = UserFactory()
    add_member(world.org_a, newcomer)
    start = dt.date.today() + dt.timedelta(days=10)
    give_role(world.community_a, newcomer, CommunityRole.MODERATOR, starts_on=start)
    assert not newcomer.has_perm("communities.moderate", world.community_a)
    roles_sync_all(today=start)
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert newcomer.has_perm("communities.moderate", world.community_a)


def test_ending_a_role_removes_its_permissions_and_keeps_history(world):
    with scope(organization=world.org_a):
        assignment = CommunityRoleAssignment.objects.get(user=world.steward)
        role_end(actor=world.convener, assignment=assignment)
        assert CommunityRoleAssignment.objects.filter(user=world.steward).count() == 1
        assert AuditEvent.objects.filter(verb="community.role_ended").count() == 1
    steward = type(world.steward).objects.get(pk=world.steward.pk)
    assert not steward.has_perm("measurement.submit_data", world.community_a)


def test_role_needs_organization_membership_and_valid_term(world):
    with pytest.raises(ValidationError):
        give_role(world.community_a, world.outsider, CommunityRole.MEMBER)
    with pytest.raises(ValidationError):
        give_role(
            world.community_a,
            world.member,
            CommunityRole.MODERATOR,
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 4, 1),
        )
    with scopes_disabled():
        assert not CommunityRoleAssignment.objects.filter(
            community=world.community_a, user=world.outsider
        ).exists()


def test_role_assignment_is_audited(world):
    with scope(organization=world.org_a):
        events = AuditEvent.objects.filter(verb="community.role_assigned")
        assert {e.data["user"] for e in events} >= {"member@a.example", "steward@a.example"}
