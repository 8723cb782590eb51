"""What every community page shares: loading the community with the caller's rights,
turning service errors into form errors, and the 403 rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from communities import selectors
from communities.models import Community
from communities.permissions import CommunityPermission as P
from copcore.http import OrganizationRequest


@dataclass
class Loaded:
    """The community of the URL and the caller's community permissions on it."""

    community: Community
    perms: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.perms

    def require(self, permission: str) -> None:
        """403 for someone who can see the community but lacks the role for the action.

        Writes to an archived community are refused by the services with a message, so
        the person learns why rather than meeting a bare 403."""
        if permission not in self.perms:
            raise PermissionDenied

    def context(self, **extra) -> dict:
        return {"community": self.community, "perms": PermsView(self.perms), **extra}


class PermsView:
    """Template helper: ``{% if perms.moderate %}`` instead of dotted permission names."""

    def __init__(self, perms: frozenset[str]):
        self._perms = perms

    def __getattr__(self, name: str) -> bool:
        try:
            return P[name.upper()].value in self._perms
        except KeyError:
            raise AttributeError(name) from None


def load(request: OrganizationRequest, community_slug: str, need: str | None = None) -> Loaded:
    community = selectors.community_get(organization=request.organization, slug=community_slug)
    loaded = Loaded(
        community=community,
        perms=selectors.community_permissions(
            user=request.user, community=community, org_role=request.membership.role
        ),
    )
    if need:
        loaded.require(need)
    return loaded


def message_from(request: OrganizationRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))
