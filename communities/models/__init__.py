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
from communities.models.reading import (
    DiscussionSubscription,
    PostHelpful,
    SubscriptionLevel,
    ThreadReadState,
)

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
    "DiscussionSubscription",
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
    "PostHelpful",
    "Rhythm",
    "RoleAssignmentQuerySet",
    "SubscriptionLevel",
    "Tag",
    "Thread",
    "ThreadReadState",
    "Workstream",
]
