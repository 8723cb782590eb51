"""Who may do what in the evaluation app, read once per request.

Seeing a CoP's evaluation needs the community's view right (sponsors have it: they see
results read-only); acting needs the evaluation permissions of the role map."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from communities import selectors as community_selectors
from communities.models import Community
from communities.permissions import CommunityPermission
from evaluation.permissions import EvaluationPermission as E


@dataclass
class Access:
    community: Community
    perms: frozenset[str]

    def require(self, permission: str) -> None:
        """403 for someone who can see the community but lacks the role for the action."""
        if permission not in self.perms:
            raise PermissionDenied

    @property
    def can_view(self) -> bool:
        return CommunityPermission.VIEW in self.perms

    @property
    def can_assess(self) -> bool:
        return E.ASSESS in self.perms

    @property
    def can_manage_surveys(self) -> bool:
        return E.MANAGE_SURVEYS in self.perms

    @property
    def can_respond(self) -> bool:
        return E.RESPOND in self.perms

    @property
    def can_conclude(self) -> bool:
        return E.CONCLUDE in self.perms


def load(*, organization, user, community_slug: str, need: str | None = None) -> Access:
    """The URL's community (404 if not in the organization) and the caller's rights on
    it; 403 without the community's view right or without ``need``."""
    community = community_selectors.community_get(organization=organization, slug=community_slug)
    access = Access(
        community=community,
        perms=community_selectors.community_permissions(user=user, community=community),
    )
    access.require(CommunityPermission.VIEW)
    if need:
        access.require(need)
    return access
