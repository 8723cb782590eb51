"""A stricter OpenID Connect provider for allauth: every ID token's signature is checked
against the provider's published keys, and a nonce binds each token to one sign-in.

allauth's own provider trusts an ID token fetched over TLS from the token endpoint
without checking its signature (which the OpenID Connect specification permits) and
sends no nonce. An organization's provider is configured by that organization, so the
platform does not take its TLS channel as proof: an unsigned (``alg: none``) or wrongly
signed token, or one minted for another sign-in, is refused. Registered in place of
allauth's class through ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``.
"""

from __future__ import annotations

import secrets

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse

NONCE_STATE_KEY = "cop_nonce"
# Public-key signatures only: never "none", never a shared-secret (HS*) algorithm.
ACCEPTED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)


class StrictOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    """Verifies the ID token's signature whatever channel brought it."""

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as error:
            raise OAuth2Error("Invalid id_token") from error
        if header.get("alg") not in ACCEPTED_ALGORITHMS or not header.get("kid"):
            raise OAuth2Error("Unsigned or wrongly signed id_token")
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class StrictOpenIDConnectProvider(OpenIDConnectProvider):
    """Sends a fresh nonce with each authorization request and keeps it in the sign-in's
    state; copcore.sso.adapters checks the ID token carries the same one."""

    oauth2_adapter_class = StrictOpenIDConnectAdapter
    # allauth mounts the URLs of the provider's package: keep allauth's own.
    package = "allauth.socialaccount.providers.openid_connect"

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(24)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        kwargs[NONCE_STATE_KEY] = nonce
        return super().redirect(
            request, process, next_url=next_url, data=data, auth_params=auth_params, **kwargs
        )


# allauth's own views build allauth's adapter by name; these build the strict one and
# are mounted in front of allauth's URLs (copcore/urls.py), at the same addresses.
@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2LoginView.adapter_view(StrictOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2CallbackView.adapter_view(StrictOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
