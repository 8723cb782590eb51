"""Helpers the knowledge pages share: the viewer's rights and the 403 for a role the viewer
lacks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from copcore.http import OrganizationRequest
from knowledge import selectors
from knowledge.selectors import Viewer

PAGE_SIZE = 25


def viewer(request: OrganizationRequest) -> Viewer:
    """The person's rights in the request's organization, computed once per request."""
    cached: Viewer | None = request.__dict__.get("_knowledge_viewer")
    if cached is None:
        cached = selectors.viewer_for(
            user=request.user, organization=request.organization, membership=request.membership
        )
        request.__dict__["_knowledge_viewer"] = cached
    return cached


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _can_draft_asset(v: Viewer, community_id: int | None) -> bool:
    """Members draft assets (curators publish them): holders of add_asset (every
    participant) may start one in their CoP; organization admins organization-wide."""
    return v.can("add_asset", community_id)
