"""Pages for a person's own data and for an org admin removing a person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scopes_disabled

from copcore import selectors
from copcore.http import AuthenticatedHttpRequest, OrganizationRequest
from copcore.models import Organization, OrganizationMembership
from copcore.permissions import OrgPermission
from copcore.privacy import services
from copcore.privacy.export import personal_data_archive
from copcore.privacy.forms import EraseAccountForm, RemoveMemberForm
from copcore.services import audit_record
from copcore.views import require_org_perm


@login_required
def privacy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the platform holds about the person, and the two things they can do with it."""
    return render(request, "copcore/privacy.html")


@login_required
@require_POST
def privacy_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The ZIP of everything held about the person; the download itself is audited."""
    user = request.user
    archive = personal_data_archive(user=user)
    with scopes_disabled():
        for organization in Organization.objects.filter(memberships__user=user).distinct():
            audit_record(
                organization=organization, actor=user, verb="person.data_exported", data={}
            )
    response = HttpResponse(archive, content_type="application/zip")
    name = f"my-data-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def privacy_erase(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Erasure, after the person types their address; refused with the reason while
    they are the only admin of an organization or the only convener of a CoP."""
    form = EraseAccountForm(
        request.POST if request.method == "POST" else None, expected_email=request.user.email
    )
    blocking: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(user=request.user)
        except ValidationError as error:
            blocking = error.messages
        else:
            logout(request)
            messages.success(
                request,
                _(
                    "Your account has been erased. What you wrote stays with the communities, "
                    "shown as by a former member."
                ),
            )
            return redirect("account_login")
    return render(request, "copcore/privacy_erase.html", {"form": form, "blocking": blocking})


@require_http_methods(["GET", "POST"])
def member_remove(request: OrganizationRequest, org_slug: str, user_id: int) -> HttpResponse:
    """An org admin removes a person from the organization, after a confirmation."""
    require_org_perm(request, OrgPermission.REMOVE_MEMBERS)
    membership = (
        OrganizationMembership.objects.filter(organization=request.organization, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    person = membership.user
    form = RemoveMemberForm(request.POST if request.method == "POST" else None)
    blocking: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.person_remove_from_organization(
                actor=request.user,
                organization=request.organization,
                user=person,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            blocking = error.messages
        else:
            messages.success(
                request,
                ngettext(
                    "%(person)s is no longer a member; %(count)d role term ended.",
                    "%(person)s is no longer a member; %(count)d role terms ended.",
                    counts["roles_ended"],
                )
                % {"person": person.display_name, "count": counts["roles_ended"]},
            )
            if person == request.user:
                return redirect("home")
            return redirect("org_members", org_slug=org_slug)
    roles = selectors.person_open_roles(organization=request.organization, user=person)
    return render(
        request,
        "copcore/member_remove.html",
        {"person": person, "form": form, "blocking": blocking, "roles": roles},
    )
