"""Core pages: home, profile, members and invitations, audit log, health, errors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from rest_framework.authtoken.models import Token

from copcore import health, selectors, services
from copcore.forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    InvitationForm,
    ProfileForm,
    add_service_errors,
)
from copcore.http import AuthenticatedHttpRequest, OrganizationRequest
from copcore.pagination import page_of
from copcore.permissions import OrgPermission, org_role_has_perm
from copcore.responses import error_body, is_api_path, not_found_response


def require_org_perm(request: OrganizationRequest, permission: str) -> None:
    """403 for a member whose organization role lacks the permission."""
    if not org_role_has_perm(request.membership.role, permission):
        raise PermissionDenied


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = selectors.user_memberships(user=request.user)
    if len(memberships) == 1:
        return redirect("org_home", org_slug=memberships[0].organization.slug)
    # Under the name the site header reads too, so the switcher does not query them again.
    return render(request, "copcore/home.html", {"user_memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=request.user, **form.cleaned_data)
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"])
        messages.success(request, _("Your profile has been saved."))
        return response
    token = Token.objects.filter(user=request.user).first()
    return render(request, "copcore/profile.html", {"form": form, "token": token})


@login_required
@require_POST
def api_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create (or replace) the person's API token; ``revoke`` deletes it."""
    if "revoke" in request.POST:
        services.api_token_revoke(user=request.user)
        messages.success(request, _("Your API token has been revoked."))
    else:
        services.api_token_replace(user=request.user)
        messages.success(request, _("A new API token has been created."))
    return redirect("profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a signed-in person's choice is also kept in their profile."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return django_set_language(request)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    key = services.invitation_key_from_token(token)
    invitation = selectors.invitation_by_key(key=key) if key else None
    if invitation is None or invitation.accepted_at is not None:
        return render(request, "copcore/invitation_invalid.html", status=404)
    signed_in_user = request.user if request.user.is_authenticated else None
    signed_in = signed_in_user is not None
    form = None if signed_in else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.invitation_accept(
                invitation=invitation,
                user=signed_in_user,
                display_name=form.cleaned_data["display_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Welcome to %(org)s.") % {"org": invitation.organization.name}
            )
            if signed_in:
                return redirect("org_home", org_slug=invitation.organization.slug)
            return redirect("account_login")
    return render(
        request, "copcore/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@require_http_methods(["GET", "POST"])
def organization_members(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    can_invite = org_role_has_perm(request.membership.role, OrgPermission.INVITE_MEMBERS)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        require_org_perm(request, OrgPermission.INVITE_MEMBERS)
        if form.is_valid():
            try:
                services.invitation_create(
                    actor=request.user, organization=request.organization, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("An invitation has been sent to %(email)s.")
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("org_members", org_slug=org_slug)
    members = selectors.organization_members(organization=request.organization)
    invitations = (
        selectors.pending_invitations(organization=request.organization) if can_invite else []
    )
    can_manage_sign_in = org_role_has_perm(request.membership.role, OrgPermission.MANAGE_SIGN_IN)
    return render(
        request,
        "copcore/members.html",
        {
            "members": members,
            "invitations": invitations,
            "form": form,
            "can_invite": can_invite,
            "can_remove": org_role_has_perm(request.membership.role, OrgPermission.REMOVE_MEMBERS),
            "can_manage_sign_in": can_manage_sign_in,
        },
    )


def audit_log(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    require_org_perm(request, OrgPermission.VIEW_AUDIT)
    organization = request.organization
    choices = selectors.audit_filter_choices(organization=organization)
    form = AuditFilterForm(
        request.GET or None,
        members=selectors.organization_members(organization=organization),
        **choices,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        organization=organization,
        actor_id=filters.get("actor"),
        verb=filters.get("verb") or None,
        target_type_id=filters.get("target_type"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page, query = page_of(request, events, 50)
    return render(request, "copcore/audit_log.html", {"form": form, "page": page, "query": query})


def healthz(request: HttpRequest) -> JsonResponse:
    report = health.check_all()
    return JsonResponse(report, status=200 if report["database"]["ok"] else 503)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return not_found_response(request)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api_path(request.path_info):
        body = error_body("permission_denied", _("You do not have permission for this action."))
        return JsonResponse(body, status=403)
    return HttpResponse(render_to_string("403.html", request=request), status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path_info):
        return JsonResponse(error_body("server_error", _("Something went wrong.")), status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
