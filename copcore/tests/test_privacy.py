"""People leave, and their data is theirs: removal, export and erasure (issue 26)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from rest_framework.authtoken.models import Token

from communities.models import CommunityRoleAssignment
from communities.services.discussions import thread_create, workstream_create
from copcore.models import AuditEvent, Invitation, OrganizationMembership, User
from copcore.permissions import CommunityRole, OrgRole
from copcore.privacy.export import personal_data, personal_data_archive
from copcore.privacy.services import (
    FORMER_MEMBER,
    person_remove_from_organization,
)
from copcore.testing import PASSWORD, add_member, give_role
from evaluation.models import Question, Response, Survey, SurveyRespondent
from knowledge.models import FieldNote
from knowledge.services.notes import field_note_create

pytestmark = pytest.mark.django_db


def _note_and_thread(world, author):
    with scope(organization=world.org_a):
        note = field_note_create(
            actor=author, community=world.community_a, title="Grab bags on ward 4", body="Restocked"
        )
        workstream = workstream_create(
            actor=world.convener, community=world.community_a, name="Antibiotics", description=""
        )
        thread = thread_create(
            actor=author, workstream=workstream, title="Grab bag contents", body="What goes in?"
        )
    return note, thread


def _signed_in_session(client_for, user) -> str:
    client = client_for(user)
    client.get("/")
    return client.session.session_key


def test_an_admin_removes_a_person_and_everything_they_hold_ends(world, client_for):
    note, _thread = _note_and_thread(world, world.member)
    Token.objects.create(user=world.member)
    key = _signed_in_session(client_for, world.member)
    with scope(organization=world.org_a):
        # An invitation sent again before they accepted the first one: still pending.
        Invitation.objects.create(organization=world.org_a, email="MEMBER@a.example")
    admin = client_for(world.convener)
    page = admin.get(reverse("org_member_remove", args=["network-a", world.member.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sepsis CoP" in text and "Every role ends today" in text
    refused = admin.post(reverse("org_member_remove", args=["network-a", world.member.pk]))
    assert refused.status_code == 200 and "Give the reason" in refused.content.decode()
    done = admin.post(
        reverse("org_member_remove", args=["network-a", world.member.pk]),
        {"reason": "Left the health board"},
    )
    assert done.status_code == 302
    with scopes_disabled():
        assert not OrganizationMembership.objects.filter(user=world.member).exists()
        terms = CommunityRoleAssignment.objects.filter(user=world.member)
        assert all(term.ends_on is not None for term in terms)
        assert not Invitation.objects.filter(email__iexact="member@a.example").exists()
        assert FieldNote.objects.filter(pk=note.pk, author=world.member).exists()
        event = AuditEvent.objects.get(verb="organization.member_removed")
    assert event.data["reason"] == "Left the health board"
    assert "member@a.example" not in json.dumps(event.data)
    assert not Token.objects.filter(user=world.member).exists()
    assert not Session.objects.filter(session_key=key).exists()
    # Removed: the organization's pages are now a 404 for them, like any outsider.
    assert client_for(world.member).get("/o/network-a/").status_code == 404


def test_removal_asks_first_and_a_member_cannot_remove_anyone(world, client_for):
    url = reverse("org_member_remove", args=["network-a", world.steward.pk])
    assert client_for(world.member).get(url).status_code == 403
    assert client_for(world.member).post(url, {"reason": "x"}).status_code == 403
    with scopes_disabled():
        assert OrganizationMembership.objects.filter(user=world.steward).exists()


def test_another_organizations_person_is_a_404_for_removal(world, client_for):
    url = reverse("org_member_remove", args=["network-a", world.outsider.pk])
    assert client_for(world.convener).get(url).status_code == 404
    url = reverse("org_member_remove", args=["network-b", world.member.pk])
    assert client_for(world.convener).get(url).status_code == 404


def test_the_last_admin_and_the_last_convener_cannot_be_removed(world):
    with pytest.raises(ValidationError) as error:
        person_remove_from_organization(
            actor=world.convener, organization=world.org_a, user=world.convener, reason="x"
        )
    text = " ".join(error.value.messages)
    assert "only admin of Network A" in text
    assert "only convener of Sepsis CoP" in text
    with scopes_disabled():
        assert OrganizationMembership.objects.filter(user=world.convener).exists()
    # With a second admin and a second convener, the first may go.
    with scopes_disabled():
        OrganizationMembership.objects.filter(user=world.steward).update(role=OrgRole.ADMIN)
    give_role(world.community_a, world.steward, CommunityRole.CONVENER)
    person_remove_from_organization(
        actor=world.steward, organization=world.org_a, user=world.convener, reason="Retired"
    )


def _surveys(world):
    with scope(organization=world.org_a):
        named = Survey.objects.create(
            organization=world.org_a,
            community=world.community_a,
            title="Named",
            anonymous=False,
            purpose="other",
        )
        anonymous = Survey.objects.create(
            organization=world.org_a,
            community=world.community_a,
            title="Anon",
            anonymous=True,
            purpose="other",
        )
        for survey in (named, anonymous):
            Question.objects.create(
                organization=world.org_a, survey=survey, text="How?", kind="single"
            )
        Response.objects.create(organization=world.org_a, survey=named, respondent=world.member)
        Response.objects.create(organization=world.org_a, survey=anonymous)
        SurveyRespondent.objects.create(
            organization=world.org_a, survey=anonymous, user=world.member
        )
    return named, anonymous


def test_the_download_holds_what_they_wrote_and_no_secret(world, client_for):
    note, thread = _note_and_thread(world, world.member)
    Token.objects.create(user=world.member)
    _surveys(world)
    parts = personal_data(user=world.member)
    assert parts["profile"][0]["email"] == "member@a.example"
    assert "password" not in parts["profile"][0]
    assert [row["title"] for row in parts["knowledge.fieldnote.author"]] == [note.title]
    assert any(row["id"] == thread.pk for rows in parts.values() for row in rows if "title" in row)
    roles = parts["communities.communityroleassignment"]
    assert {row["role"] for row in roles} == {CommunityRole.MEMBER}
    named_responses = parts["evaluation.response.respondent"]
    assert len(named_responses) == 1  # the anonymous answer is linked to nobody
    assert not any("authtoken" in name for name in parts)
    archive = zipfile.ZipFile(io.BytesIO(personal_data_archive(user=world.member)))
    names = archive.namelist()
    assert "README.txt" in names and "json/profile.json" in names and "csv/profile.csv" in names
    token = Token.objects.get(user=world.member).key
    for name in names:
        assert token not in archive.read(name).decode()
    response = client_for(world.member).post(reverse("privacy_download"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with scopes_disabled():
        assert AuditEvent.objects.filter(verb="person.data_exported", actor=world.member).exists()
    assert client_for(world.member).get(reverse("privacy_download")).status_code == 405


def test_erasure_keeps_the_knowledge_and_forgets_the_person(world, client_for):
    note, thread = _note_and_thread(world, world.member)
    _named, anonymous = _surveys(world)
    client = client_for(world.member)
    wrong = client.post(reverse("privacy_erase"), {"email": "someone@else.example"})
    assert "nothing was erased" in wrong.content.decode()
    done = client.post(reverse("privacy_erase"), {"email": "Member@A.example"})
    assert done.status_code == 302
    erased = User.objects.get(pk=world.member.pk)
    assert erased.display_name == FORMER_MEMBER and erased.erased_at is not None
    assert "member@a.example" not in erased.email and not erased.is_active
    assert not erased.has_usable_password()
    with scopes_disabled():
        assert FieldNote.objects.get(pk=note.pk).author_id == erased.pk
        assert thread.__class__.objects.filter(pk=thread.pk).exists()
        assert not OrganizationMembership.objects.filter(user=erased).exists()
        for event in AuditEvent.objects.all():
            blob = json.dumps(event.data) + event.target_repr
            assert "member@a.example" not in blob.lower() and "Manu Member" not in blob
        erased_events = AuditEvent.objects.filter(verb="person.erased")
        assert erased_events.count() == 1 and erased_events.get().data == {}
        # The anonymous answer still points to nobody.
        assert Response.objects.filter(survey=anonymous, respondent__isnull=True).count() == 1
    # They cannot sign in any more.
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="member@a.example", password=PASSWORD) is None
    assert authenticate(request, username=erased.email, password=PASSWORD) is None


def test_the_only_convener_is_told_to_hand_over_before_erasure(world, client_for):
    response = client_for(world.convener).post(
        reverse("privacy_erase"), {"email": "convener@a.example"}
    )
    text = response.content.decode()
    assert "Your account was not erased" in text and "only convener of Sepsis CoP" in text
    assert User.objects.get(pk=world.convener.pk).erased_at is None


def test_the_privacy_pages_need_a_signed_in_person(client):
    for name in ("privacy", "privacy_erase"):
        assert client.get(reverse(name)).status_code == 302


def test_an_org_admin_sees_a_remove_link_per_member_and_a_member_does_not(world, client_for):
    url = reverse("org_members", args=["network-a"])
    assert "Remove" in client_for(world.convener).get(url).content.decode()
    assert (
        f"/members/{world.steward.pk}/remove/"
        not in client_for(world.member).get(url).content.decode()
    )


def test_a_person_in_two_organizations_keeps_the_other(world):
    add_member(world.org_b, world.member)
    person_remove_from_organization(
        actor=world.convener, organization=world.org_a, user=world.member, reason="Moved"
    )
    with scopes_disabled():
        assert list(
            OrganizationMembership.objects.filter(user=world.member).values_list(
                "organization__slug", flat=True
            )
        ) == ["network-b"]
