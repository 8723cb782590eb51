"""Forms of the sign-in pages: the log-in form (email address, password, or the
organization's identity provider) and the org admin's provider and policy forms."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from copcore.models import (
    IdentityProvider,
    Organization,
    OrganizationMembership,
    SecondFactorPolicy,
    User,
)
from copcore.permissions import OrgRole
from copcore.sso import selectors


class LoginForm(AllauthLoginForm):
    """allauth's log-in form with the platform's labels, plus single sign-on.

    An address in a domain an organization's provider claims may leave the password
    empty: the person is sent to that provider. A person held to single sign-on is told
    so, and only after the password was right, so the message reveals nothing to
    someone guessing addresses."""

    sso_provider: IdentityProvider | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].label = _("Password")
        self.fields["password"].required = False
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = _(
            "Leave it empty if your organization signs you in with its own account."
        )

    def clean(self) -> dict[str, Any]:
        if self._errors:
            return self.cleaned_data
        email = self.cleaned_data.get("login") or ""
        if not self.cleaned_data.get("password"):
            provider = selectors.provider_for_email(email)
            if provider is not None:
                self.sso_provider = provider
                return self.cleaned_data
            self.add_error("password", _("Enter your password."))
            return self.cleaned_data
        cleaned = super().clean()
        user: object = getattr(self, "user", None)
        if isinstance(user, User):
            held = selectors.password_refused_reason(user)
            if held is not None:
                self.user = None
                raise ValidationError(
                    _(
                        "%(organization)s signs its members in through %(provider)s, not "
                        "with a password. Leave the password empty and choose Log in."
                    )
                    % {"organization": held.organization.name, "provider": held.name}
                )
        return cleaned

    def login(self, request: HttpRequest, redirect_url: str | None = None) -> HttpResponse:
        if self.sso_provider is None:
            return super().login(request, redirect_url=redirect_url)
        from copcore.sso.adapters import social_app
        from copcore.sso.oidc import StrictOpenIDConnectProvider

        provider = StrictOpenIDConnectProvider(request, app=social_app(self.sso_provider))
        redirect = provider.redirect(
            request,
            "login",
            next_url=redirect_url,
            auth_params={"login_hint": self.cleaned_data["login"]},
        )
        # A page with a link rather than a redirect: browsers hold a form's redirects to
        # the page's CSP form-action ('self'), and the provider is another origin. A
        # small script follows the link at once; without it, the person clicks it.
        return render(
            request,
            "account/sso_continue.html",
            {"provider": self.sso_provider, "url": redirect["Location"]},
        )


class DomainsField(forms.CharField):
    """Email domains, one per line or separated by commas."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value


class IdentityProviderForm(forms.Form):
    name = forms.CharField(label=_("Name shown on the sign-in page"), max_length=100)
    discovery_url = forms.URLField(
        label=_("Discovery URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "The provider's issuer address or its /.well-known/openid-configuration address."
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )
    email_domains = DomainsField(
        label=_("Email domains this organization claims"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, for example nhs.example. People with these addresses sign in here."
        ),
    )
    is_enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    require_sso = forms.BooleanField(
        label=_("Members with these addresses must sign in through this provider"),
        required=False,
    )
    break_glass_user = forms.ModelChoiceField(
        label=_("Break-glass admin who may still use a password"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        admin_ids = OrganizationMembership.objects.filter(
            organization=organization, role=OrgRole.ADMIN
        ).values("user_id")
        field = self.fields["break_glass_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=admin_ids).order_by("display_name")

    def clean_email_domains(self) -> list[str]:
        domains = self.cleaned_data["email_domains"]
        for domain in domains:
            if "." not in domain or "@" in domain.lstrip("@") or " " in domain:
                raise ValidationError(_("%(domain)s is not an email domain.") % {"domain": domain})
        return domains


class SecondFactorPolicyForm(forms.Form):
    second_factor_required = forms.ChoiceField(
        label=_("Who must sign in with a second factor"),
        choices=SecondFactorPolicy.choices,
        widget=forms.RadioSelect,
    )
