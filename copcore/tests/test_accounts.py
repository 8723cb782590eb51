"""Accounts: email login, throttling, password reset, profile, invitations."""

import time

import pytest
from django.core import mail, signing
from django.test import Client
from django_scopes import scopes_disabled

from copcore.models import AuditEvent, Invitation, OrganizationMembership, User
from copcore.services import invitation_create, invitation_token
from copcore.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_and_logout(world):
    client = Client()
    response = client.post("/accounts/login/", {"login": "member@a.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/o/network-a/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/o/network-a/").status_code == 302


def test_wrong_password_keeps_email_and_says_so(world):
    response = Client().post("/accounts/login/", {"login": "member@a.example", "password": "nope"})
    assert response.status_code == 200
    assert b'value="member@a.example"' in response.content
    assert b"The email address and/or password you specified are not correct" in response.content


def test_repeated_failed_logins_are_throttled(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": "member@a.example", "password": "bad"})
    locked = client.post("/accounts/login/", {"login": "member@a.example", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed log-in attempts" in locked.content
    assert "_auth_user_id" not in client.session
    # Another person at the same address is not locked out.
    other = Client().post("/accounts/login/", {"login": "steward@a.example", "password": PASSWORD})
    assert other.status_code == 302


def test_password_reset_by_email(world):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "member@a.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["member@a.example"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link[link.index("/accounts/") :].strip()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"password1": "a-new-long-pass-7", "password2": "a-new-long-pass-7"}
    )
    assert done.status_code == 302
    assert User.objects.get(email="member@a.example").check_password("a-new-long-pass-7")


def test_password_change(world, client_for):
    client = client_for(world.member)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "brand-new-pass-8",
            "password2": "brand-new-pass-8",
        },
    )
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("brand-new-pass-8")


def test_profile_update_and_errors_keep_input(world, client_for):
    client = client_for(world.member)
    bad = client.post(
        "/accounts/profile/",
        {"display_name": "Manu M", "time_zone": "Mars/Olympus", "language": "es"},
    )
    assert bad.status_code == 200
    assert b'value="Manu M"' in bad.content
    assert b"Select a valid choice" in bad.content
    good = client.post(
        "/accounts/profile/",
        {"display_name": "Manu M", "time_zone": "Europe/Madrid", "language": "es"},
    )
    assert good.status_code == 302
    world.member.refresh_from_db()
    assert (world.member.display_name, world.member.time_zone, world.member.language) == (
        "Manu M",
        "Europe/Madrid",
        "es",
    )


def test_profile_language_is_used_for_pages(world, client_for):
    world.member.language = "es"
    world.member.save()
    response = client_for(world.member).get("/o/network-a/")
    assert '<html lang="es">' in response.content.decode()
    assert "Comunidades de práctica" in response.content.decode()


def _invite(world, email="new.person@example.org"):
    with scopes_disabled():
        return invitation_create(actor=world.convener, organization=world.org_a, email=email)


def test_admin_invites_by_email_with_signed_link(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.convener)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/o/network-a/members/", {"email": "New.Person@example.org", "role": "member"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "/invitations/" in message.body and "14 days" in message.body
    with scopes_disabled():
        assert AuditEvent.objects.filter(verb="invitation.created").count() == 1


def test_member_without_admin_role_cannot_invite(world, client_for):
    response = client_for(world.member).post(
        "/o/network-a/members/", {"email": "x@example.org", "role": "member"}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_invitation_creates_account_and_membership(world):
    invitation = _invite(world)
    client = Client()
    url = f"/invitations/{invitation_token(invitation)}/"
    mismatch = client.post(
        url, {"display_name": "New", "password1": "long-pass-123x", "password2": "other-pass-123x"}
    )
    assert mismatch.status_code == 200
    assert b'value="New"' in mismatch.content and b"The two passwords differ" in mismatch.content
    response = client.post(
        url,
        {
            "display_name": "New Person",
            "password1": "long-pass-123x",
            "password2": "long-pass-123x",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    with scopes_disabled():
        assert OrganizationMembership.objects.get(user=user).organization == world.org_a
    assert client.get(url).status_code == 404  # single use


def test_invitation_adds_membership_for_signed_in_existing_user(world, client_for):
    invitation = _invite(world, email="outsider@b.example")
    client = client_for(world.outsider)
    response = client.post(f"/invitations/{invitation_token(invitation)}/")
    assert response.status_code == 302 and response["Location"] == "/o/network-a/"
    assert client.get("/o/network-a/").status_code == 200


def test_invitation_for_someone_else_is_refused(world, client_for):
    invitation = _invite(world, email="someone@example.org")
    response = client_for(world.outsider).post(
        f"/invitations/{invitation_token(invitation)}/", follow=True
    )
    assert b"sent to another email address" in response.content
    assert client_for(world.outsider).get("/o/network-a/").status_code == 404


def test_invitation_expires_after_14_days(world, monkeypatch):
    invitation = _invite(world)
    issued = time.time() - 15 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: issued)
    token = invitation_token(invitation)
    monkeypatch.undo()
    response = Client().get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert b"may have expired" in response.content


def test_tampered_invitation_token_is_refused(world):
    invitation = _invite(world)
    token = invitation_token(invitation)
    assert Client().get(f"/invitations/{token[:-2]}xx/").status_code == 404


def test_inviting_an_existing_member_says_so(world, client_for):
    response = client_for(world.convener).post(
        "/o/network-a/members/", {"email": "member@a.example", "role": "member"}
    )
    assert response.status_code == 200
    assert b"already a member" in response.content
    assert b'value="member@a.example"' in response.content
