"""The demo's sign-in set-up: the second organization's admin signs in with a second
factor (an authenticator app whose secret ``seed_demo`` prints beside the logins), and
that organization has an OpenID Connect provider configured but disabled (no provider
runs with ``make run``), so both admin pages have something to show."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from copcore.demo.people import OUTSIDER, Cast
from copcore.models import IdentityProvider
from copcore.sso.services import identity_provider_save

# A fixed secret so the printed value works on every run (demo only, never real).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_TOTP_PERSONA = OUTSIDER


def second_factor(cast: Cast) -> None:
    user = cast[DEMO_TOTP_PERSONA]
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)


def identity_provider(cast: Cast) -> None:
    """Call inside the second organization's scope."""
    if IdentityProvider.objects.filter(organization=cast.other).exists():
        return
    identity_provider_save(
        actor=cast[OUTSIDER],
        organization=cast.other,
        provider=None,
        name="Southvale staff account",
        discovery_url="https://login.southvale.example/",
        client_id="cop-platform-demo",
        client_secret="demo-only-not-a-real-secret",
        email_domains=["southvale.example"],
        is_enabled=False,
        require_sso=False,
        break_glass_user=cast[OUTSIDER],
    )
