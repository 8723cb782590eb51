"""Email addresses compare case-insensitively: sign-in (pages and API token), the
failed-attempt throttle, invitations and registration, and one account per address."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django_scopes import scopes_disabled

from copcore.models import OrganizationMembership, User
from copcore.services import invitation_create, invitation_token
from copcore.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_ignores_the_case_of_the_address(world):
    client = Client()
    response = client.post("/accounts/login/", {"login": "Member@A.Example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.member.pk)


def test_api_token_ignores_the_case_of_the_address(world):
    response = Client().post(
        "/api/v1/auth/token/", {"username": " MEMBER@a.example", "password": PASSWORD}
    )
    assert response.status_code == 200 and response.json()["token"]


def test_throttle_counts_case_variants_together(world, settings):
    client = Client()
    variants = ["member@a.example", "Member@a.example", "MEMBER@A.EXAMPLE", "mEmber@a.example"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"login": variants[attempt % len(variants)], "password": "bad"},
        )
    locked = client.post("/accounts/login/", {"login": "Member@A.example", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_account_per_address_whatever_its_case(world):
    with pytest.raises(ValidationError) as error:
        User(email="Member@A.example", display_name="Twin").full_clean(exclude=["password"])
    assert "already exists" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="MEMBER@a.example", display_name="Twin")])


def test_registration_from_a_mixed_case_invitation(world):
    with scopes_disabled():
        invitation = invitation_create(
            actor=world.convener, organization=world.org_a, email="New.Person@Example.ORG"
        )
    assert invitation.email == "new.person@example.org"
    client = Client()
    response = client.post(
        f"/invitations/{invitation_token(invitation)}/",
        {
            "display_name": "New Person",
            "password1": "long-pass-123x",
            "password2": "long-pass-123x",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    with scopes_disabled():
        assert OrganizationMembership.objects.filter(user=user, organization=world.org_a).exists()
    fresh = Client()
    assert (
        fresh.post(
            "/accounts/login/", {"login": "NEW.PERSON@example.org", "password": "long-pass-123x"}
        ).status_code
        == 302
    )


def test_inviting_a_member_in_another_case_says_so(world, client_for):
    response = client_for(world.convener).post(
        "/o/network-a/members/", {"email": "Member@A.EXAMPLE", "role": "member"}
    )
    assert response.status_code == 200 and b"already a member" in response.content


def test_signed_in_person_accepts_an_invitation_written_in_another_case(world, client_for):
    with scopes_disabled():
        invitation = invitation_create(
            actor=world.convener, organization=world.org_a, email="Outsider@B.Example"
        )
    client = client_for(world.outsider)
    response = client.post(f"/invitations/{invitation_token(invitation)}/")
    assert response.status_code == 302
    assert client.get("/o/network-a/").status_code == 200


def test_exact_spelling_wins_and_migration_lists_old_duplicates(world):
    """Rows stored before the constraint may differ only in case: the address typed
    exactly picks its own account, and the migration refuses with the list."""
    migration = importlib.import_module("copcore.migrations.0003_user_email_case_insensitive")
    migration.refuse_case_duplicates(global_apps, None)  # no clash: passes quietly
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("nobody@a.example")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('DROP INDEX "unique_user_email_ci"')
        twin = User.objects.create(email="Member@A.example", display_name="Twin")
        assert User.objects.get_by_natural_key("member@a.example") == world.member
        assert User.objects.get_by_natural_key("Member@A.example") == twin
        with pytest.raises(RuntimeError) as error:
            migration.refuse_case_duplicates(global_apps, None)
        transaction.set_rollback(True)
    assert "member@a.example" in str(error.value) and "Member@A.example" in str(error.value)
