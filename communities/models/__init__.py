"""Models of the communities app, one module per area; every model is importable from
``communities.models`` as before."""

from communities.models.charter import (
    CHARTER_SECTIONS,
    CharterAcknowledgement,
    CharterDraft,
    CharterSections,
    CharterVersion,
)
from communities.models.community import (
    CallType,
    Community,
    CommunityRoleAssignment,
    ExpectedResult,
    Objective,
    Phase,
    PhaseTransition,
    Rhythm,
    RoleAssignmentQuerySet,
    Tag,
)
from communities.models.discussions import (
    Escalation,
    Mention,
    Post,
    PostAttachment,
    PostFlag,
    Thread,
    Workstream,
)
from communities.models.membership import CommunityInvitation, JoinRequest, MemberProfile

__all__ = [
    "CHARTER_SECTIONS",
    "CallType",
    "CharterAcknowledgement",
    "CharterDraft",
    "CharterSections",
    "CharterVersion",
    "Community",
    "CommunityInvitation",
    "CommunityRoleAssignment",
    "Escalation",
    "ExpectedResult",
    "JoinRequest",
    "MemberProfile",
    "Mention",
    "Objective",
    "Phase",
    "PhaseTransition",
    "Post",
    "PostAttachment",
    "PostFlag",
    "Rhythm",
    "RoleAssignmentQuerySet",
    "Tag",
    "Thread",
    "Workstream",
]
