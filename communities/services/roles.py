"""Communities, role terms and their permission groups; the archived-is-read-only rule."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from guardian.models import GroupObjectPermission

from communities.models import (
    Community,
    CommunityRoleAssignment,
    Phase,
)
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import (
    ALL_COMMUNITY_PERMISSIONS,
    COMMUNITY_ROLE_PERMISSIONS,
    CommunityRole,
    guardian_codename,
)
from copcore.services import audit_record
from copcore.spreadsheet import check_code


def ensure_writable(community: Community) -> None:
    """Archived communities are read-only: every write refuses with a clear message."""
    if community.phase == Phase.ARCHIVED:
        raise ValidationError(
            _("This community is archived and read-only. A convener may reopen it first.")
        )


def role_group_name(community: Community, role: str) -> str:
    return f"community:{community.pk}:{role}"


def permissions_sync() -> dict[str, Permission]:
    """Make sure a Permission row exists on Community for every community permission."""
    content_type = ContentType.objects.get_for_model(Community)
    existing = {p.codename: p for p in Permission.objects.filter(content_type=content_type)}
    result: dict[str, Permission] = {}
    for permission in sorted(ALL_COMMUNITY_PERMISSIONS):
        codename = guardian_codename(permission)
        if codename not in existing:
            existing[codename] = Permission.objects.create(
                content_type=content_type, codename=codename, name=permission
            )
        result[permission] = existing[codename]
    return result


def community_roles_sync(
    *,
    community: Community,
    permissions: dict[str, Permission] | None = None,
    today: dt.date | None = None,
) -> None:
    """Make the community's role groups, their object permissions and their members
    match the role map and the active role terms. Idempotent."""
    permissions = permissions or permissions_sync()
    today = today or timezone.localdate()
    content_type = ContentType.objects.get_for_model(Community)
    active = (
        CommunityRoleAssignment.objects.with_scopes_disabled()
        .filter(community=community)
        .active_on(today)
    )
    holders: dict[str, set[int]] = {}
    for role, user_id in active.values_list("role", "user_id"):
        holders.setdefault(role, set()).add(user_id)
    for role in CommunityRole.values:
        group, _created = Group.objects.get_or_create(name=role_group_name(community, role))
        wanted = {permissions[p].pk for p in COMMUNITY_ROLE_PERMISSIONS[role]}
        granted = GroupObjectPermission.objects.filter(
            group=group, content_type=content_type, object_pk=str(community.pk)
        )
        granted.exclude(permission_id__in=wanted).delete()
        have = set(granted.values_list("permission_id", flat=True))
        GroupObjectPermission.objects.bulk_create(
            [
                GroupObjectPermission(
                    group=group,
                    permission_id=pid,
                    content_type=content_type,
                    object_pk=str(community.pk),
                )
                for pid in wanted - have
            ]
        )
        group.user_set.set(holders.get(role, set()))


def roles_sync_all(*, today: dt.date | None = None) -> int:
    """Sync every community of every organization (``manage.py sync_roles``, daily task)."""
    permissions = permissions_sync()
    with scopes_disabled():
        communities = list(Community.objects.all())
        for community in communities:
            community_roles_sync(community=community, permissions=permissions, today=today)
    return len(communities)


RESERVED_SLUGS = {"new"}  # "communities/new/" is the create page


@transaction.atomic
def community_create(
    *, actor: User, organization: Organization, name: str, slug: str, convener: User | None = None
) -> Community:
    """Create a community; its creator (or the named convener) becomes convener."""
    check_code("slug", slug)
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This short name is reserved; please choose another.")})
    if Community.objects.filter(organization=organization, slug=slug).exists():
        raise ValidationError({"slug": _("A community with this slug already exists.")})
    community = Community.objects.create(organization=organization, name=name, slug=slug)
    audit_record(organization=organization, actor=actor, verb="community.created", target=community)
    role_assign(
        actor=actor,
        community=community,
        user=convener or actor,
        role=CommunityRole.CONVENER,
    )
    return community


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    community: Community,
    user: User,
    role: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> CommunityRoleAssignment:
    """Give a person a role in a community for a term."""
    ensure_writable(community)
    if role not in CommunityRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    is_member = OrganizationMembership.objects.filter(
        organization=community.organization, user=user
    ).exists()
    if not is_member:
        raise ValidationError({"user": _("Only members of the organization can hold a role.")})
    assignment = CommunityRoleAssignment.objects.create(
        organization=community.organization,
        community=community,
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        assigned_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.role_assigned",
        target=community,
        data={
            "user": user.email,
            "role": role,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    community_roles_sync(community=community)
    return assignment


@transaction.atomic
def role_end(
    *, actor: User, assignment: CommunityRoleAssignment, ends_on: dt.date | None = None
) -> CommunityRoleAssignment:
    """End a role term (today unless a date is given); the row stays as history."""
    ensure_writable(assignment.community)
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    assignment.ends_on = ends_on
    assignment.save(update_fields=["ends_on"])
    audit_record(
        organization=assignment.organization,
        actor=actor,
        verb="community.role_ended",
        target=assignment.community,
        data={
            "user": assignment.user.email,
            "role": assignment.role,
            "ends_on": ends_on.isoformat(),
        },
    )
    community_roles_sync(community=assignment.community)
    return assignment


@transaction.atomic
def role_change(
    *, actor: User, assignment: CommunityRoleAssignment, role: str, on: dt.date | None = None
) -> CommunityRoleAssignment:
    """Change a person's role: the current term ends on ``on`` (today) and a new term in
    the new role starts that day, so the history shows both."""
    ensure_writable(assignment.community)
    on = on or timezone.localdate()
    if role == assignment.role:
        raise ValidationError({"role": _("The person already holds this role.")})
    if on < assignment.starts_on:
        raise ValidationError({"on": _("The change cannot happen before the term started.")})
    new = role_assign(
        actor=actor,
        community=assignment.community,
        user=assignment.user,
        role=role,
        starts_on=on,
        ends_on=assignment.ends_on if assignment.ends_on and assignment.ends_on > on else None,
    )
    role_end(actor=actor, assignment=assignment, ends_on=on)
    return new
