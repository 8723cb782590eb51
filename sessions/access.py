"""Who may see and do what with sessions; shared by the pages and the API.

Sessions of a CoP are visible to people holding ``communities.view_community`` on it;
for anyone else the CoP's session pages answer 404, like a missing object. Someone
who can see a session but lacks the role for an action gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from communities.models import Community
from communities.permissions import CommunityPermission
from copcore.models import Organization, User
from sessions.models import ActionItem, CasePresentation
from sessions.permissions import SessionPermission


def viewable_community(*, user: User, organization: Organization, slug: str) -> Community:
    """The CoP if it exists in this organization and the user may view it; else 404."""
    community = Community.objects.filter(organization=organization, slug=slug).first()
    if community is None or not user.has_perm(CommunityPermission.VIEW, community):
        raise Http404
    return community


def require(user: User, permission: str, community: Community) -> None:
    if not user.has_perm(permission, community):
        raise PermissionDenied


def can(user: User, permission: str, community: Community) -> bool:
    return user.has_perm(permission, community)


def rights(user: User, community: Community) -> dict[str, bool]:
    """The flags templates need, computed once per page (guardian caches per request)."""
    return {
        "can_attend": can(user, SessionPermission.ATTEND, community),
        "can_manage": can(user, SessionPermission.MANAGE_SESSIONS, community),
        "can_record_attendance": can(user, SessionPermission.RECORD_ATTENDANCE, community),
    }


def can_edit_case(user: User, case: CasePresentation, rights: dict[str, bool]) -> bool:
    """The presenter edits their own case; session managers edit any. ``rights`` is
    ``rights(user, community)``, computed once per page."""
    if case.presenter_id == user.pk and rights["can_attend"]:
        return True
    return rights["can_manage"]


def can_update_action_item(user: User, item: ActionItem, community: Community) -> bool:
    """The owner updates the status of their own item; session managers update any."""
    if item.owner_id == user.pk and can(user, SessionPermission.ATTEND, community):
        return True
    return can(user, SessionPermission.MANAGE_SESSIONS, community)
