"""Org admin pages for sign-in: the organization's identity providers, who must use a
second factor, and revoking a member's API token. All under /o/<org>/sign-in/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore import selectors as core_selectors
from copcore.crypto import is_set
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.permissions import OrgPermission
from copcore.sso import selectors, services
from copcore.sso.forms import IdentityProviderForm, SecondFactorPolicyForm
from copcore.views import require_org_perm


@require_http_methods(["GET", "POST"])
def settings_page(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    require_org_perm(request, OrgPermission.MANAGE_SIGN_IN)
    organization = request.organization
    form = SecondFactorPolicyForm(
        request.POST or None,
        initial={"second_factor_required": organization.second_factor_required},
    )
    if request.method == "POST" and form.is_valid():
        services.second_factor_policy_set(
            actor=request.user,
            organization=organization,
            policy=form.cleaned_data["second_factor_required"],
        )
        messages.success(request, _("The second-factor rule has been saved."))
        return redirect("sso:settings", org_slug=org_slug)
    members = core_selectors.organization_members(organization=organization)
    return render(
        request,
        "copcore/sso/settings.html",
        {
            "form": form,
            "providers": selectors.organization_providers(organization=organization),
            "members": members,
            "callback_base": request.build_absolute_uri(reverse("account_login"))[
                : -len(reverse("account_login"))
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def provider_edit(
    request: OrganizationRequest, org_slug: str, idp_id: int | None = None
) -> HttpResponse:
    require_org_perm(request, OrgPermission.MANAGE_SIGN_IN)
    organization = request.organization
    provider = None
    if idp_id is not None:
        provider = selectors.organization_provider(organization=organization, pk=idp_id)
        if provider is None:
            raise Http404
    initial = {}
    if provider is not None:
        initial = {
            "name": provider.name,
            "discovery_url": provider.discovery_url,
            "client_id": provider.client_id,
            "email_domains": provider.email_domains,
            "is_enabled": provider.is_enabled,
            "require_sso": provider.require_sso,
            "break_glass_user": provider.break_glass_user_id,
        }
    form = IdentityProviderForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.identity_provider_save(
                actor=request.user,
                organization=organization,
                provider=provider,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been saved.") % {"name": saved.name})
            return redirect("sso:settings", org_slug=org_slug)
    callback = None
    if provider is not None:
        callback = request.build_absolute_uri(
            reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id})
        )
    return render(
        request,
        "copcore/sso/provider_form.html",
        {
            "form": form,
            "provider": provider,
            "secret_is_set": provider is not None and is_set(provider.client_secret),
            "callback": callback,
        },
    )


@require_http_methods(["GET", "POST"])
def provider_delete(request: OrganizationRequest, org_slug: str, idp_id: int) -> HttpResponse:
    require_org_perm(request, OrgPermission.MANAGE_SIGN_IN)
    provider = selectors.organization_provider(organization=request.organization, pk=idp_id)
    if provider is None:
        raise Http404
    if request.method == "POST":
        name = provider.name
        services.identity_provider_delete(actor=request.user, provider=provider)
        messages.success(request, _("%(name)s has been removed.") % {"name": name})
        return redirect("sso:settings", org_slug=org_slug)
    return render(request, "copcore/sso/provider_delete.html", {"provider": provider})


@require_POST
def member_token_revoke(request: OrganizationRequest, org_slug: str, user_id: int) -> HttpResponse:
    require_org_perm(request, OrgPermission.MANAGE_SIGN_IN)
    membership = (
        core_selectors.organization_members(organization=request.organization)
        .filter(user_id=user_id)
        .first()
    )
    if membership is None:
        raise Http404
    if services.member_api_token_revoke(actor=request.user, membership=membership):
        messages.success(
            request,
            _("The API token of %(name)s has been revoked.") % {"name": membership.user},
        )
    else:
        messages.info(request, _("%(name)s had no API token.") % {"name": membership.user})
    return redirect("sso:settings", org_slug=org_slug)
