"""Single sign-on through organizations' own OpenID Connect providers, against real
providers on 127.0.0.1 (copcore/tests/oidc_provider.py): two organizations, two
providers, the tenancy personas. Covers just-in-time accounts, profile sync, takeover
and cross-organization refusals, bad tokens, replay, removal at the provider and of the
provider, SSO required with a break-glass admin, and the audit trail."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled

from copcore.crypto import decrypt_secret
from copcore.models import AuditEvent, IdentityProvider, OrganizationMembership, User
from copcore.permissions import OrgRole
from copcore.sso.services import identity_provider_delete, identity_provider_save
from copcore.testing import PASSWORD
from copcore.tests import oidc_provider as op

pytestmark = pytest.mark.django_db


@pytest.fixture
def stubs():
    a = op.RunningProvider("network-a-client", "secret-a")
    b = op.RunningProvider("network-b-client", "secret-b")
    yield a.app, b.app
    a.stop()
    b.stop()


def _configure(organization, admin, stub, domains, **extra) -> IdentityProvider:
    with scope(organization=organization):
        return identity_provider_save(
            actor=admin,
            organization=organization,
            provider=None,
            name=f"{organization.name} sign-in",
            discovery_url=stub.base_url,
            client_id=stub.client_id,
            client_secret=stub.client_secret,
            email_domains=domains,
            is_enabled=True,
            require_sso=extra.get("require_sso", False),
            break_glass_user=extra.get("break_glass_user"),
        )


@pytest.fixture
def providers(world, stubs):
    stub_a, stub_b = stubs
    idp_a = _configure(world.org_a, world.convener, stub_a, ["a.example"])
    idp_b = _configure(world.org_b, world.outsider, stub_b, ["b.example"])
    return idp_a, idp_b


def _claims(email, sub="subject-1", name="Nia Nurse", verified=True):
    return {"sub": sub, "email": email, "email_verified": verified, "name": name}


def _provider_url(response) -> str:
    """Where the sign-in sends the browser: the redirect, or the continue page's link."""
    if response.status_code == 302:
        return response["Location"]
    assert response.status_code == 200, response.content[:300]
    match = re.search(r'id="sso-continue" href="([^"]+)"', response.content.decode())
    assert match, response.content[:500]
    return html.unescape(match.group(1))


def _follow_provider(client: Client, response):
    """Follow the redirect to the provider and back to our callback, as a browser would."""
    answer = requests.get(_provider_url(response), allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    callback = f"{back.path}?{back.query}"
    return client.get(callback), callback


def _sign_in(client: Client, email: str):
    start = client.post("/accounts/login/", {"login": email, "password": ""})
    return _follow_provider(client, start)


def _signed_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_first_sign_in_creates_the_person_in_that_organization_only(world, stubs, providers):
    stub_a, _stub_b = stubs
    stub_a.subject = _claims("nia.nurse@a.example")
    client = Client()
    response, _callback = _sign_in(client, "Nia.Nurse@a.example")
    assert response.status_code == 302
    user = _signed_in_as(client)
    assert user is not None and user.email == "nia.nurse@a.example"
    assert user.display_name == "Nia Nurse" and not user.has_usable_password()
    with scopes_disabled():
        memberships = list(OrganizationMembership.objects.filter(user=user))
        assert [(m.organization, m.role) for m in memberships] == [(world.org_a, OrgRole.MEMBER)]
        event = AuditEvent.objects.get(verb="sso.signed_in")
        assert event.organization == world.org_a and event.data["account_created"] is True
    assert client.get("/o/network-a/").status_code == 200
    assert client.get("/o/network-b/").status_code == 404


def test_later_sign_ins_keep_name_and_verified_email_in_step(world, stubs, providers):
    stub_a, _ = stubs
    stub_a.subject = _claims("nia.nurse@a.example")
    _sign_in(Client(), "nia.nurse@a.example")
    stub_a.subject = _claims("nia.smith@a.example", name="Nia Smith")
    client = Client()
    _sign_in(client, "nia.nurse@a.example")
    user = _signed_in_as(client)
    assert user is not None
    assert (user.email, user.display_name) == ("nia.smith@a.example", "Nia Smith")
    assert User.objects.filter(email__startswith="nia.").count() == 1
    with scopes_disabled():
        assert AuditEvent.objects.filter(verb="sso.signed_in").count() == 2


def test_existing_account_is_linked_only_with_a_verified_address(world, stubs, providers):
    stub_a, _ = stubs
    stub_a.subject = _claims("member@a.example", sub="m-1", verified=False)
    client = Client()
    refused, _ = _sign_in(client, "member@a.example")
    assert refused.status_code == 403
    assert b"did not confirm a verified email address" in refused.content
    with scopes_disabled():
        assert AuditEvent.objects.get(verb="sso.refused").data["reason"] == "unverified_email"
    assert _signed_in_as(client) is None
    assert not SocialAccount.objects.exists()
    stub_a.subject = _claims("member@a.example", sub="m-1", name="Manu Member")
    client = Client()
    _sign_in(client, "member@a.example")
    assert _signed_in_as(client) == world.member
    assert SocialAccount.objects.get().user == world.member


def test_a_provider_never_signs_in_another_organizations_addresses(world, stubs, providers):
    """Organization B's provider asserts a verified address of organization A's domain:
    refused, so B's admins cannot take over A's member (nor add anyone to A)."""
    _stub_a, stub_b = stubs
    _idp_a, idp_b = providers
    stub_b.subject = _claims("member@a.example", sub="evil", name="Not Manu")
    client = Client()
    start = client.post(f"/accounts/oidc/{idp_b.provider_id}/login/", {"process": "login"})
    refused, _ = _follow_provider(client, start)
    assert refused.status_code == 403
    assert b"outside its organization" in refused.content
    assert _signed_in_as(client) is None
    with scopes_disabled():
        event = AuditEvent.objects.get(verb="sso.refused")
    assert event.organization == world.org_b
    assert event.data == {"reason": "domain_not_claimed", "asserted_email": "member@a.example"}
    world.member.refresh_from_db()
    assert world.member.display_name == "Manu Member"
    assert not SocialAccount.objects.exists()


def test_address_in_a_claimed_domain_goes_to_that_organizations_provider(world, providers):
    idp_a, idp_b = providers
    to_a = Client().post("/accounts/login/", {"login": "someone@a.example", "password": ""})
    to_b = Client().post("/accounts/login/", {"login": "someone@b.example", "password": ""})
    url_a, url_b = _provider_url(to_a), _provider_url(to_b)
    assert url_a.startswith(idp_a.discovery_url) and url_b.startswith(idp_b.discovery_url)
    assert "client_id=network-a-client" in url_a and "client_id=network-b-client" in url_b
    assert "nonce=" in url_a and "code_challenge=" in url_a and "login_hint=" in url_a
    assert b"Network A signs you in with Network A sign-in" in to_a.content


@pytest.mark.parametrize(
    "mode", [op.EXPIRED, op.UNSIGNED, op.WRONG_KEY, op.WRONG_AUDIENCE, op.WRONG_NONCE]
)
def test_bad_id_tokens_are_refused(world, stubs, providers, mode):
    stub_a, _ = stubs
    stub_a.subject = _claims("nia.nurse@a.example")
    stub_a.mode = mode
    client = Client()
    response, _ = _sign_in(client, "nia.nurse@a.example")
    assert _signed_in_as(client) is None, mode
    assert response.status_code in (401, 403)
    assert b"Sign-in refused" in response.content
    assert not User.objects.filter(email="nia.nurse@a.example").exists()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(verb="sso.signed_in").exists()
        refusal = AuditEvent.objects.get(verb="sso.refused")
    assert refusal.organization == world.org_a
    assert refusal.data["reason"].startswith(("error:", "nonce")), refusal.data


def test_a_replayed_callback_is_refused(world, stubs, providers):
    stub_a, _ = stubs
    stub_a.subject = _claims("nia.nurse@a.example")
    client = Client()
    _response, callback = _sign_in(client, "nia.nurse@a.example")
    assert _signed_in_as(client) is not None
    client.post("/accounts/logout/")
    replay = client.get(callback)
    assert _signed_in_as(client) is None
    assert replay.status_code in (401, 403) and b"Sign-in refused" in replay.content
    stranger = Client()
    stranger.get(callback)
    assert _signed_in_as(stranger) is None


def test_a_person_removed_at_the_provider_cannot_sign_in(world, stubs, providers):
    stub_a, _ = stubs
    stub_a.subject = _claims("nia.nurse@a.example")
    _sign_in(Client(), "nia.nurse@a.example")
    stub_a.subject = None  # removed from the organization's directory
    client = Client()
    _sign_in(client, "nia.nurse@a.example")
    assert _signed_in_as(client) is None


def test_removing_the_provider_falls_back_to_password_reset(world, stubs, providers):
    stub_a, _ = stubs
    idp_a, _ = providers
    stub_a.subject = _claims("nia.nurse@a.example")
    _sign_in(Client(), "nia.nurse@a.example")
    with scope(organization=world.org_a):
        identity_provider_delete(actor=world.convener, provider=idp_a)
    assert not SocialAccount.objects.exists()
    user = User.objects.get(email="nia.nurse@a.example")
    with scopes_disabled():
        assert OrganizationMembership.objects.filter(user=user, organization=world.org_a).exists()
        assert AuditEvent.objects.filter(verb="identity_provider.deleted").exists()
    asks = Client().post("/accounts/login/", {"login": "nia.nurse@a.example", "password": ""})
    assert asks.status_code == 200 and b"Enter your password" in asks.content
    Client().post("/accounts/password/reset/", {"email": "nia.nurse@a.example"})
    assert [m.to for m in mail.outbox] == [["nia.nurse@a.example"]]


def test_sso_required_refuses_passwords_but_keeps_the_break_glass_admin(world, providers):
    idp_a, _ = providers
    with scope(organization=world.org_a):
        identity_provider_save(
            actor=world.convener,
            organization=world.org_a,
            provider=idp_a,
            name=idp_a.name,
            discovery_url=idp_a.discovery_url,
            client_id=idp_a.client_id,
            client_secret="",
            email_domains=idp_a.email_domains,
            is_enabled=True,
            require_sso=True,
            break_glass_user=world.convener,
        )
    client = Client()
    refused = client.post("/accounts/login/", {"login": "member@a.example", "password": PASSWORD})
    assert refused.status_code == 200
    assert b"signs its members in through Network A sign-in, not with a password" in (
        refused.content
    )
    assert _signed_in_as(client) is None
    wrong = Client().post("/accounts/login/", {"login": "member@a.example", "password": "nope"})
    assert b"signs its members in" not in wrong.content  # says nothing before the password
    admin = Client()
    ok = admin.post("/accounts/login/", {"login": "convener@a.example", "password": PASSWORD})
    assert ok.status_code == 302 and _signed_in_as(admin) == world.convener
    outsider = Client()
    outsider.post("/accounts/login/", {"login": "outsider@b.example", "password": PASSWORD})
    assert _signed_in_as(outsider) == world.outsider  # B does not require SSO


def test_org_admin_configures_a_provider_in_the_browser(world, client_for, stubs):
    stub_a, _ = stubs
    admin = client_for(world.convener)
    form = {
        "name": "Health board sign-in",
        "discovery_url": stub_a.base_url,
        "client_id": "network-a-client",
        "client_secret": "very-secret-value",
        "email_domains": "a.example\nA-Two.example",
        "is_enabled": "on",
    }
    assert admin.post("/o/network-a/sign-in/providers/new/", form).status_code == 302
    with scopes_disabled():
        idp = IdentityProvider.objects.get()
        event = AuditEvent.objects.get(verb="identity_provider.created")
    assert idp.organization == world.org_a and idp.email_domains == ["a.example", "a-two.example"]
    assert idp.client_secret != "very-secret-value"
    assert decrypt_secret(idp.client_secret) == "very-secret-value"
    assert "very-secret-value" not in str(event.data)
    page = admin.get(f"/o/network-a/sign-in/providers/{idp.pk}/").content.decode()
    assert "very-secret-value" not in page and "A client secret is stored" in page
    assert f"/accounts/oidc/{idp.provider_id}/login/callback/" in page
    form.update(name="Renamed", client_secret="")
    admin.post(f"/o/network-a/sign-in/providers/{idp.pk}/", form)
    with scopes_disabled():
        idp.refresh_from_db()
        changed = AuditEvent.objects.get(verb="identity_provider.changed")
    assert decrypt_secret(idp.client_secret) == "very-secret-value"  # kept
    assert changed.data == {"changed": ["name"], "secret_changed": False}
    # Organization B cannot claim A's domain, and a plain member cannot configure.
    claim = client_for(world.outsider).post(
        "/o/network-b/sign-in/providers/new/", {**form, "client_secret": "x"}
    )
    assert claim.status_code == 200 and b"Already claimed by another identity provider" in (
        claim.content
    )
    assert client_for(world.member).get("/o/network-a/sign-in/").status_code == 403
    assert (
        client_for(world.outsider).get(f"/o/network-a/sign-in/providers/{idp.pk}/").status_code
        == 404
    )
    assert (
        client_for(world.outsider).get(f"/o/network-b/sign-in/providers/{idp.pk}/").status_code
        == 404
    )


def test_a_disabled_provider_neither_routes_nor_answers(world, stubs, providers):
    stub_a, _ = stubs
    idp_a, _ = providers
    with scopes_disabled():
        IdentityProvider.objects.filter(pk=idp_a.pk).update(is_enabled=False)
    asks = Client().post("/accounts/login/", {"login": "nia.nurse@a.example", "password": ""})
    assert asks.status_code == 200 and b"Enter your password" in asks.content
    start = Client().post(f"/accounts/oidc/{idp_a.provider_id}/login/", {"process": "login"})
    assert start.status_code == 404
    member = Client()
    member.post("/accounts/login/", {"login": "member@a.example", "password": PASSWORD})
    assert _signed_in_as(member) == world.member


def test_linking_a_provider_by_hand_is_refused(world, stubs, providers, client_for):
    """A signed-in person of B cannot attach A's provider account to themselves."""
    stub_a, _ = stubs
    idp_a, _ = providers
    stub_a.subject = _claims("member@a.example", sub="m-1")
    client = client_for(world.outsider)
    start = client.post(f"/accounts/oidc/{idp_a.provider_id}/login/", {"process": "connect"})
    refused, _ = _follow_provider(client, start)
    assert refused.status_code == 403 and not SocialAccount.objects.exists()
    with scopes_disabled():
        assert not OrganizationMembership.objects.filter(
            user=world.outsider, organization=world.org_a
        ).exists()
