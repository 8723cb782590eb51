"""Roles and the one role-to-permission map of the platform.

Each app declares its permissions as an enum in ``<app>/permissions.py``; this
module maps roles to them. ``manage.py sync_roles`` writes the map into
django-guardian (one group per community role, object permissions on that
community), so checks read ``user.has_perm("measurement.submit_data", community)``.
Organization-level permissions come from the membership role and need no rows.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.permissions import CommunityPermission
from evaluation.permissions import EvaluationPermission
from knowledge.permissions import KnowledgePermission
from measurement.permissions import MeasurementPermission
from sessions.permissions import SessionPermission


class OrgRole(models.TextChoices):
    ADMIN = "admin", _("Organization admin")
    MEMBER = "member", _("Organization member")


class CommunityRole(models.TextChoices):
    CONVENER = "convener", _("Convener (leader)")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Facilitator")
    DATA_STEWARD = "data_steward", _("Data steward")
    EQUITY_ADVISOR = "equity_advisor", _("Equity advisor")
    MEMBER = "member", _("Member (participant)")
    EXPERT_BY_EXPERIENCE = "expert_by_experience", _("Expert by experience")
    SPONSOR = "sponsor", _("Sponsor (read-only)")


class OrgPermission(StrEnum):
    VIEW_AUDIT = "copcore.view_audit"
    INVITE_MEMBERS = "copcore.invite_members"
    CREATE_COMMUNITY = "copcore.create_community"
    MANAGE_SITES = "copcore.manage_sites"
    REMOVE_MEMBERS = "copcore.remove_members"
    MANAGE_SIGN_IN = "copcore.manage_sign_in"


ORG_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    OrgRole.ADMIN: frozenset(OrgPermission),
    OrgRole.MEMBER: frozenset(),
}

P = CommunityPermission
K = KnowledgePermission
M = MeasurementPermission
S = SessionPermission
E = EvaluationPermission

_PARTICIPANT = frozenset(
    {
        P.VIEW,
        P.VIEW_DISCUSSIONS,
        P.POST,
        K.ADD_FIELD_NOTE,
        K.ADD_ASSET,  # a draft: curators publish it
        K.ADD_TEST_OF_CHANGE,
        M.VIEW_DATA,
        M.VIEW_SUBMITTED,
        S.ATTEND,
        E.RESPOND,
    }
)

COMMUNITY_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    CommunityRole.CONVENER: frozenset(P)
    | frozenset(K)
    | frozenset(M)
    | frozenset(S)
    | frozenset(E),
    CommunityRole.MODERATOR: _PARTICIPANT
    | {P.MODERATE, P.MANAGE_WORKSTREAMS, P.ESCALATE, K.CURATE}
    | {S.MANAGE_SESSIONS, S.RECORD_ATTENDANCE}
    | {E.ASSESS, E.MANAGE_SURVEYS},
    CommunityRole.FACILITATOR: _PARTICIPANT
    | {P.MANAGE_MEMBERS, P.MANAGE_WORKSTREAMS, K.CURATE}
    | {S.MANAGE_SESSIONS, S.RECORD_ATTENDANCE}
    | {E.ASSESS, E.MANAGE_SURVEYS},
    CommunityRole.DATA_STEWARD: _PARTICIPANT
    | {M.VIEW_UNSUPPRESSED, M.SUBMIT_DATA, M.MANAGE_MEASURES},
    CommunityRole.EQUITY_ADVISOR: _PARTICIPANT,
    CommunityRole.MEMBER: _PARTICIPANT,
    CommunityRole.EXPERT_BY_EXPERIENCE: _PARTICIPANT,
    # Sponsors are kept informed but have no oversight role: read-only.
    CommunityRole.SPONSOR: frozenset({P.VIEW, M.VIEW_DATA}),
}

ALL_COMMUNITY_PERMISSIONS: frozenset[str] = frozenset().union(*COMMUNITY_ROLE_PERMISSIONS.values())

# What an organization role grants on every community of the organization, whatever
# roles the person holds there. Org admins may always see a CoP's roles and name its
# convener: the recovery path when a CoP has nobody able to run it.
ORG_ROLE_COMMUNITY_PERMISSIONS: dict[str, frozenset[str]] = {
    OrgRole.ADMIN: frozenset({P.VIEW, P.MANAGE_ROLES}),
    OrgRole.MEMBER: frozenset(),
}


def guardian_codename(permission: str) -> str:
    """The codename under which a community permission is stored on the Community type.

    Guardian refuses a permission whose app label differs from the object's, so
    ``measurement.submit_data`` is stored as ``measurement__submit_data`` on Community.
    """
    return permission.replace(".", "__")


def org_role_community_permissions(role: str | None) -> frozenset[str]:
    """The community permissions an organization role carries on each of its CoPs."""
    if not role:
        return frozenset()
    return ORG_ROLE_COMMUNITY_PERMISSIONS.get(role, frozenset())


def org_role_has_perm(role: str | None, permission: str) -> bool:
    """Whether an organization role carries an organization-level permission."""
    if not role:
        return False
    return permission in ORG_ROLE_PERMISSIONS.get(role, frozenset())
