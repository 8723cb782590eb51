"""Second factor: authenticator apps (TOTP) with recovery codes, the organization's rule
(admins or everyone) enforced at sign-in with a guided set-up, and API tokens, which a
second factor does not affect but which the person and an org admin can revoke.

Codes are computed here from the shared secret (RFC 6238), on a frozen clock
(time-machine) so the 30-second windows are exact."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from rest_framework.authtoken.models import Token

from copcore.crypto import decrypt_secret
from copcore.models import AuditEvent, SecondFactorPolicy
from copcore.sso.services import second_factor_policy_set
from copcore.testing import PASSWORD

pytestmark = pytest.mark.django_db


def totp(secret: str, at: float) -> str:
    counter = int(at) // 30
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6
    return f"{value:06d}"


def _password_login(client: Client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def _activate(client: Client, at: float) -> str:
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown for typing into the app
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret, at)})
    assert done.status_code == 302, done.content[:500]
    return secret


@pytest.fixture
def clock():
    start = timezone.now().replace(microsecond=0)
    start = start - timedelta(seconds=start.second % 30) + timedelta(seconds=5)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def test_totp_set_up_then_required_at_sign_in(world, clock):
    client = Client()
    _password_login(client, "member@a.example")
    now = timezone.now().timestamp()
    secret = _activate(client, now)
    totp_row = Authenticator.objects.get(user=world.member, type=Authenticator.Type.TOTP)
    assert totp_row.data["secret"] != secret  # encrypted at rest
    assert decrypt_secret(totp_row.data["secret"]) == secret
    assert Authenticator.objects.filter(
        user=world.member, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    client.post("/accounts/logout/")

    clock.shift(60)  # two windows later
    now = timezone.now().timestamp()
    second = Client()
    first_step = _password_login(second, "member@a.example")
    assert first_step["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in second.session
    wrong = second.post("/accounts/2fa/authenticate/", {"code": "000000"})
    expired = second.post("/accounts/2fa/authenticate/", {"code": totp(secret, now - 60)})
    assert wrong.status_code == expired.status_code == 200
    assert "_auth_user_id" not in second.session
    assert b"Incorrect code" in wrong.content
    ok = second.post("/accounts/2fa/authenticate/", {"code": totp(secret, now)})
    assert ok.status_code == 302
    assert second.session["_auth_user_id"] == str(world.member.pk)

    # The same code again, in the same window, from another browser: refused.
    third = Client()
    _password_login(third, "member@a.example")
    replay = third.post("/accounts/2fa/authenticate/", {"code": totp(secret, now)})
    assert replay.status_code == 200 and "_auth_user_id" not in third.session


def test_a_recovery_code_signs_in_once(world, clock):
    client = Client()
    _password_login(client, "member@a.example")
    _activate(client, timezone.now().timestamp())
    client.post("/accounts/logout/")
    codes = RecoveryCodes(
        Authenticator.objects.get(user=world.member, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    first = Client()
    _password_login(first, "member@a.example")
    first.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert first.session["_auth_user_id"] == str(world.member.pk)
    again = Client()
    _password_login(again, "member@a.example")
    again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert "_auth_user_id" not in again.session


def test_organization_requires_a_second_factor_of_its_admins(world, clock):
    with scope(organization=world.org_a):
        second_factor_policy_set(
            actor=world.convener, organization=world.org_a, policy=SecondFactorPolicy.ADMINS
        )
    admin = Client()
    _password_login(admin, "convener@a.example")
    sent = admin.get("/o/network-a/")
    assert sent.status_code == 302 and sent["Location"] == "/accounts/2fa/totp/activate/"
    guided = admin.get("/accounts/2fa/totp/activate/")
    assert b"requires a second factor" in guided.content
    _activate(admin, timezone.now().timestamp())
    assert admin.get("/o/network-a/").status_code == 200
    member = Client()
    _password_login(member, "member@a.example")
    assert member.get("/o/network-a/").status_code == 200  # members are not required
    with scopes_disabled():
        assert AuditEvent.objects.filter(verb="organization.second_factor_policy_changed").exists()


def test_everyone_rule_and_api_tokens_are_unaffected(world, client_for):
    with scope(organization=world.org_a):
        second_factor_policy_set(
            actor=world.convener, organization=world.org_a, policy=SecondFactorPolicy.EVERYONE
        )
    token = Token.objects.create(user=world.member)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code == 200
    browser = Client()
    _password_login(browser, "member@a.example")
    assert browser.get("/o/network-a/")["Location"] == "/accounts/2fa/totp/activate/"
    assert browser.get("/accounts/profile/").status_code == 200  # account pages stay open


def test_org_admin_revokes_a_members_api_token(world, client_for):
    token = Token.objects.create(user=world.member)
    response = client_for(world.convener).post(
        f"/o/network-a/sign-in/members/{world.member.pk}/revoke-token/"
    )
    assert response.status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    with scopes_disabled():
        assert AuditEvent.objects.filter(verb="api_token.revoked_by_admin").exists()
    # A member may not, and another organization's person is not found.
    assert (
        client_for(world.member)
        .post(f"/o/network-a/sign-in/members/{world.convener.pk}/revoke-token/")
        .status_code
        == 403
    )
    assert (
        client_for(world.convener)
        .post(f"/o/network-a/sign-in/members/{world.outsider.pk}/revoke-token/")
        .status_code
        == 404
    )


def test_demo_admin_signs_in_with_the_printed_secret(clock, capsys):
    from django.core.management import call_command

    from copcore.demo import DEMO_PASSWORD
    from copcore.demo.sign_in import DEMO_TOTP_SECRET
    from copcore.models import IdentityProvider

    call_command("seed_demo")
    printed = capsys.readouterr().out
    assert DEMO_TOTP_SECRET in printed
    client = Client()
    step = client.post(
        "/accounts/login/", {"login": "outsider@example.org", "password": DEMO_PASSWORD}
    )
    assert step["Location"].startswith("/accounts/2fa/authenticate/")
    client.post(
        "/accounts/2fa/authenticate/",
        {"code": totp(DEMO_TOTP_SECRET, timezone.now().timestamp())},
    )
    assert "_auth_user_id" in client.session
    with scopes_disabled():
        provider = IdentityProvider.objects.get(organization__slug="southvale")
    assert not provider.is_enabled and provider.email_domains == ["southvale.example"]
