"""Community pages (the foundation's minimal set: list, create, roles)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communities import selectors, services
from communities.forms import CommunityCreateForm, RoleAssignForm
from communities.models import Community, CommunityRoleAssignment
from communities.permissions import CommunityPermission
from copcore.models import User
from copcore.permissions import OrgPermission, org_role_has_perm
from copcore.views import require_org_perm


def require_community_perm(request: HttpRequest, community: Community, permission: str) -> None:
    """403 for someone who can see the community but lacks the role for the action."""
    if not request.user.has_perm(permission, community):
        raise PermissionDenied


def _people(request: HttpRequest) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=request.organization).order_by(
        "display_name"
    )


def community_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    communities = selectors.communities_visible(organization=request.organization)
    can_create = org_role_has_perm(request.membership.role, OrgPermission.CREATE_COMMUNITY)
    return render(
        request,
        "communities/community_list.html",
        {"communities": communities, "can_create": can_create},
    )


@require_http_methods(["GET", "POST"])
def community_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_org_perm(request, OrgPermission.CREATE_COMMUNITY)
    form = CommunityCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(
                actor=request.user,
                organization=request.organization,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The community has been created."))
            return redirect("communities:detail", org_slug=org_slug, community_slug=community.slug)
    return render(request, "communities/community_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
def community_detail(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = selectors.community_get(organization=request.organization, slug=community_slug)
    can_manage = request.user.has_perm(CommunityPermission.MANAGE_ROLES, community)
    form = RoleAssignForm(
        request.POST or None, people=_people(request), initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST":
        require_community_perm(request, community, CommunityPermission.MANAGE_ROLES)
        if form.is_valid():
            try:
                services.role_assign(actor=request.user, community=community, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The role has been assigned."))
                return redirect(
                    "communities:detail", org_slug=org_slug, community_slug=community.slug
                )
    return render(
        request,
        "communities/community_detail.html",
        {
            "community": community,
            "active_roles": selectors.active_role_assignments(community=community),
            "role_history": selectors.role_assignments(community=community),
            "can_manage_roles": can_manage,
            "form": form,
        },
    )


@require_POST
def role_end(
    request: HttpRequest, org_slug: str, community_slug: str, assignment_id: int
) -> HttpResponse:
    community = selectors.community_get(organization=request.organization, slug=community_slug)
    assignment = (
        CommunityRoleAssignment.objects.filter(community=community, pk=assignment_id)
        .select_related("user", "community")
        .first()
    )
    if assignment is None:
        raise Http404
    require_community_perm(request, community, CommunityPermission.MANAGE_ROLES)
    try:
        services.role_end(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role has been ended."))
    return redirect("communities:detail", org_slug=org_slug, community_slug=community.slug)
