"""django-allauth adapters: nobody signs up on their own, and organizations' identity
providers are read from the database at each request (no settings file, no restart).

The social adapter is where takeover is refused. A provider of organization A signs a
person in only when the address it asserts is verified and in a domain A claims; that
is also the only case in which it may attach itself to an existing account with that
address. The person then joins A (never another organization)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.core.exceptions import MultipleObjectsReturned
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from copcore.crypto import SecretUnreadable, decrypt_secret, encrypt_secret
from copcore.models import IdentityProvider, User
from copcore.sso import selectors, services
from copcore.sso.oidc import NONCE_STATE_KEY

OIDC = "openid_connect"


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations and identity providers, not from a sign-up page."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A person who signed in (password or provider) in the last few minutes is not
        asked to sign in again before setting up a second factor: the guided set-up
        follows sign-in directly, and a person who signs in only through their
        organization's provider has no password to re-enter."""
        from allauth.account import app_settings as account_settings
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.core import context

        request = context.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - float(records[-1].get("at", 0)) < (
                account_settings.REAUTHENTICATION_TIMEOUT
            ):
                return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


class MFAAdapter(DefaultMFAAdapter):
    """Authenticator-app secrets are stored encrypted, like every other secret."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)


def social_app(provider: IdentityProvider) -> SocialApp:
    """The allauth app for a provider row (unsaved: it lives for the request)."""
    try:
        secret = decrypt_secret(provider.client_secret)
    except SecretUnreadable:
        secret = ""
    app = SocialApp(
        provider=OIDC,
        provider_id=provider.provider_id,
        name=provider.name,
        client_id=provider.client_id,
        secret=secret,
        settings={
            "server_url": provider.discovery_url,
            "fetch_userinfo": True,
            "oauth_pkce_enabled": True,
        },
    )
    return app


class Refusal(Exception):
    """A provider's answer that may not sign anyone in, with the reason audited."""

    def __init__(self, code: str, message: str, email: str = "") -> None:
        super().__init__(code)
        self.code, self.message, self.email = code, message, email


def refuse(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(
        render(request, "account/sso_refused.html", {"reason": reason}, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest, provider: Any = None, client_id: Any = None
    ) -> list[SocialApp]:
        rows = selectors.enabled_providers()
        if provider and provider != OIDC:
            rows = [row for row in rows if row.provider_id == provider]
        if client_id:
            rows = [row for row in rows if row.client_id == client_id]
        return [social_app(row) for row in rows]

    def get_app(self, request: HttpRequest, provider: Any, client_id: Any = None) -> SocialApp:
        apps = self.list_apps(request, provider=provider, client_id=client_id)
        if len(apps) > 1:
            raise MultipleObjectsReturned
        if not apps:
            raise SocialApp.DoesNotExist()
        return apps[0]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Only reached after pre_social_login accepted the person (below).
        return True

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """Audit a failed provider sign-in (bad or replayed answer, provider refusal)."""
        app = getattr(provider, "app", None)
        row = selectors.provider_by_provider_id(getattr(app, "provider_id", "") or "")
        if row is not None:
            services.sso_refusal_record(
                provider=row, reason=f"error:{error or 'unknown'}", asserted_email=""
            )

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = selectors.provider_by_provider_id(sociallogin.account.provider)
        if provider is None or not provider.is_enabled:
            raise refuse(request, _("This identity provider is no longer in use."))
        try:
            email, name, user = self._accepted(provider, sociallogin)
        except Refusal as refusal:
            services.sso_refusal_record(
                provider=provider, reason=refusal.code, asserted_email=refusal.email
            )
            raise refuse(request, refusal.message) from refusal
        user, _created = services.sso_sign_in(
            provider=provider, user=user, email=email, display_name=name[:150]
        )
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        else:
            sociallogin.user = user

    def _accepted(
        self, provider: IdentityProvider, sociallogin: SocialLogin
    ) -> tuple[str, str, User | None]:
        """The verified address, the name and the existing account (if any) a provider's
        answer stands for; raises :class:`Refusal` when it may not sign anyone in."""
        state = sociallogin.state or {}
        if state.get("process") == "connect":
            # Accounts are linked by the rules below at sign-in, never by hand.
            raise Refusal(
                "connect",
                _("Your account is linked to your organization's provider when you sign in."),
            )
        data = sociallogin.account.extra_data or {}
        id_token = data.get("id_token") or {}
        expected_nonce = state.get(NONCE_STATE_KEY)
        if not expected_nonce or id_token.get("nonce") != expected_nonce:
            raise Refusal("nonce", _("The sign-in answer did not belong to this sign-in."))
        claims = {**id_token, **(data.get("userinfo") or {})}
        email = str(claims.get("email") or "").strip().lower()
        verified = claims.get("email_verified") in (True, "true", "True", 1)
        if not email or not verified:
            raise Refusal(
                "unverified_email",
                _("The identity provider did not confirm a verified email address."),
                email,
            )
        if selectors.email_domain(email) not in provider.email_domains:
            raise Refusal(
                "domain_not_claimed",
                _("This identity provider may not sign in addresses outside its organization."),
                email,
            )
        name = str(
            claims.get("name")
            or " ".join(p for p in [claims.get("given_name"), claims.get("family_name")] if p)
            or ""
        ).strip()
        if sociallogin.is_existing:
            user: User | None = sociallogin.user
        else:
            user = User.objects.filter(email__iexact=email).first()
        if user is not None and not user.is_active:
            raise Refusal("inactive", _("This account is inactive."), email)
        return email, name, user
