"""Who may do what with a CoP's data. Reads only; used by views, the API and services.

Community rights come from the role map (``user.has_perm(perm, community)``); the
designated data lead of a CoP (its ``CommunityDataPolicy``) may also approve.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from communities.models import Community
from copcore.permissions import OrgPermission
from measurement.models import CommunityDataPolicy
from measurement.permissions import MeasurementPermission as M

# Organization admins create and edit sites and stratifiers (organization-level
# reference data shared by every CoP).
MANAGE_SITES = OrgPermission.MANAGE_SITES


def data_policy(community: Community) -> CommunityDataPolicy:
    """The CoP's data policy (an unsaved default when none was set yet)."""
    cached = getattr(community, "_measurement_policy", None)
    if cached is not None:
        return cached
    # A list that selected the policy with its CoPs (select_related("data_policy")) has
    # it already; otherwise this is one query.
    policy = getattr(community, "data_policy", None)
    if policy is None:
        policy = CommunityDataPolicy(organization_id=community.organization_id, community=community)
    vars(community)["_measurement_policy"] = policy  # cached on this instance only
    return policy


def can_submit(user, community: Community) -> bool:
    return user.has_perm(M.SUBMIT_DATA, community)


def can_approve(user, community: Community) -> bool:
    if user.has_perm(M.APPROVE_DATA, community):
        return True
    return data_policy(community).data_lead_id == user.id


def can_manage_measures(user, community: Community) -> bool:
    return user.has_perm(M.MANAGE_MEASURES, community)


def can_manage_sites(user, organization_id: int) -> bool:
    """Organization admins create sites (organization-level reference data)."""
    from copcore.models import OrganizationMembership
    from copcore.permissions import org_role_has_perm

    role = (
        OrganizationMembership.objects.filter(user=user, organization_id=organization_id)
        .values_list("role", flat=True)
        .first()
    )
    return org_role_has_perm(role, MANAGE_SITES)


def can_create(user, community: Community, kind: str) -> bool:
    """Who may create what an import asked for: a site (organization admins) or a
    measure (those who manage the CoP's measures)."""
    if kind == "site":
        return can_manage_sites(user, community.organization_id)
    return can_manage_measures(user, community)


def can_view(user, community: Community) -> bool:
    return (
        user.has_perm(M.VIEW_DATA, community)
        or can_submit(user, community)
        or can_approve(user, community)
    )


def sees_unapproved(user, community: Community) -> bool:
    """Stewards and approvers work on data before it is approved; others do not."""
    return can_submit(user, community) or can_approve(user, community)


def require(allowed: bool) -> None:
    """403 for a member who can see the object but lacks the role for the action."""
    if not allowed:
        raise PermissionDenied
