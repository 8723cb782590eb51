"""Template context every page needs: the current organization and the switcher's list."""

from django.utils.functional import SimpleLazyObject

from copcore.permissions import OrgPermission, org_role_has_perm
from copcore.selectors import user_memberships


def tenancy(request):
    membership = getattr(request, "membership", None)
    role = membership.role if membership else None
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        # Organization pages already hold the list (the tenancy middleware read it).
        "user_memberships": getattr(request, "user_memberships", None)
        or SimpleLazyObject(lambda: user_memberships(user=request.user)),
        "can_view_audit": org_role_has_perm(role, OrgPermission.VIEW_AUDIT),
    }
