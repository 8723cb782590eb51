"""Communities, role terms and their permission groups; the archived-is-read-only rule."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
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


Term = tuple[dt.date, dt.date | None]  # held from the start up to, not including, the end


def _covers(terms: list[Term], day: dt.date) -> bool:
    return any(start <= day and (end is None or end > day) for start, end in terms)


def ensure_convener_continuity(
    *,
    assignment: CommunityRoleAssignment,
    role: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    today: dt.date | None = None,
) -> None:
    """Refuse a change to one role term that would leave the community, on some day from
    today on, without a convener it would otherwise have had.

    The change is described by what the term becomes: ``role`` (its role after the
    change, unchanged if None), ``starts_on`` and ``ends_on`` (its dates after it). The
    rule compares the days covered by convener terms before and after: a day covered
    before and not after is the first day nobody could run the CoP. Coverage only changes
    at term boundaries, so checking today and every boundary from today on is enough.
    A CoP that already has no convener is not blocked from other changes: the rule only
    refuses losing a convener, and an org admin can always name one."""
    today = today or timezone.localdate()
    if assignment.role != CommunityRole.CONVENER:
        return
    others: list[Term] = list(
        CommunityRoleAssignment.objects.with_scopes_disabled()
        .filter(community_id=assignment.community_id, role=CommunityRole.CONVENER)
        .exclude(pk=assignment.pk)
        .values_list("starts_on", "ends_on")
    )
    before = [*others, (assignment.starts_on, assignment.ends_on)]
    after = list(others)
    if (role or assignment.role) == CommunityRole.CONVENER:
        after.append((starts_on or assignment.starts_on, ends_on))
    boundaries = {today} | {day for term in before + after for day in term if day}
    for day in sorted(d for d in boundaries if d >= today):
        if _covers(before, day) and not _covers(after, day):
            raise ValidationError(
                _(
                    "%(person)s would be the last convener to leave: from %(date)s nobody "
                    "could run this community. Name another convener for that day first."
                )
                % {"person": assignment.user.display_name, "date": date_format(day)},
                code="last_convener",
            )


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    community: Community,
    user: User,
    role: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    reason: str = "",
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
    data = {
        "user": user.email,
        "role": role,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
    }
    if reason:
        data["reason"] = reason
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.role_assigned",
        target=community,
        data=data,
    )
    community_roles_sync(community=community)
    return assignment


@transaction.atomic
def role_end(
    *,
    actor: User,
    assignment: CommunityRoleAssignment,
    ends_on: dt.date | None = None,
    reason: str = "",
) -> CommunityRoleAssignment:
    """End a role term (today unless a date is given); the row stays as history.

    The last convener's term cannot end: a CoP always keeps someone able to run it."""
    ensure_writable(assignment.community)
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    ensure_convener_continuity(assignment=assignment, ends_on=ends_on)
    previous_end = assignment.ends_on
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
            "previous_ends_on": previous_end.isoformat() if previous_end else None,
            "reason": reason,
        },
    )
    community_roles_sync(community=assignment.community)
    return assignment


@transaction.atomic
def role_term_change(
    *,
    actor: User,
    assignment: CommunityRoleAssignment,
    starts_on: dt.date,
    ends_on: dt.date | None,
    reason: str = "",
) -> CommunityRoleAssignment:
    """Move a term's dates: extend it, make it open-ended, or shorten it.

    A term that has started keeps its start date (the history stays true); one that
    has not may start on another day. Shortening the last convener's term is refused
    like ending it."""
    ensure_writable(assignment.community)
    today = timezone.localdate()
    if starts_on != assignment.starts_on and assignment.starts_on <= today:
        raise ValidationError(
            {"starts_on": _("This term has started: its start date can no longer change.")}
        )
    if starts_on != assignment.starts_on and starts_on < today:
        raise ValidationError({"starts_on": _("A term cannot be moved to start in the past.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    if starts_on == assignment.starts_on and ends_on == assignment.ends_on:
        raise ValidationError(_("The term already has these dates."), code="unchanged")
    ensure_convener_continuity(
        assignment=assignment, starts_on=starts_on, ends_on=ends_on, today=today
    )
    previous = (assignment.starts_on, assignment.ends_on)
    assignment.starts_on, assignment.ends_on = starts_on, ends_on
    assignment.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        organization=assignment.organization,
        actor=actor,
        verb="community.role_term_changed",
        target=assignment.community,
        data={
            "user": assignment.user.email,
            "role": assignment.role,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
            "previous_starts_on": previous[0].isoformat(),
            "previous_ends_on": previous[1].isoformat() if previous[1] else None,
            "reason": reason,
        },
    )
    community_roles_sync(community=assignment.community)
    return assignment


@transaction.atomic
def role_change(
    *,
    actor: User,
    assignment: CommunityRoleAssignment,
    role: str,
    on: dt.date | None = None,
    reason: str = "",
) -> CommunityRoleAssignment:
    """Change a person's role: the current term ends on ``on`` (today) and a new term in
    the new role starts that day, so the history shows both. The last convener cannot
    change away from convening."""
    ensure_writable(assignment.community)
    on = on or timezone.localdate()
    if role == assignment.role:
        raise ValidationError({"role": _("The person already holds this role.")})
    if on < assignment.starts_on:
        raise ValidationError({"on": _("The change cannot happen before the term started.")})
    ensure_convener_continuity(assignment=assignment, ends_on=on)
    new = role_assign(
        actor=actor,
        community=assignment.community,
        user=assignment.user,
        role=role,
        starts_on=on,
        ends_on=assignment.ends_on if assignment.ends_on and assignment.ends_on > on else None,
        reason=reason,
    )
    role_end(actor=actor, assignment=assignment, ends_on=on, reason=reason)
    return new
