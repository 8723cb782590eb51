"""Roles with terms and succession warnings; joining, requests, invitations, directory."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from communities import selectors, services
from communities.models import CommunityRoleAssignment, JoinRequest, MemberProfile
from communities.tests.helpers import complete_design, make_person
from copcore.permissions import CommunityRole
from copcore.testing import give_role

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(
        f"communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def _set_call(world, call_type):
    with scope(organization=world.org_a):
        services.community_design_save(
            actor=world.convener,
            community=world.community_a,
            step="call",
            values={"call_type": call_type},
        )


def test_changing_a_role_ends_the_term_and_starts_a_new_one(world):
    with scope(organization=world.org_a):
        term = CommunityRoleAssignment.objects.get(community=world.community_a, user=world.member)
        new = services.role_change(actor=world.convener, assignment=term, role="moderator")
        term.refresh_from_db()
        today = timezone.localdate()
        assert term.ends_on == today and not term.is_active_on(today)
        assert new.role == "moderator" and new.is_active_on(today)
        assert world.member.has_perm("communities.moderate", world.community_a)


def test_warnings_for_missing_leading_roles_and_terms_ending_without_successor(world, client_for):
    community, moderator, facilitator = complete_design(world)
    today = timezone.localdate()
    with scope(organization=world.org_a):
        term = CommunityRoleAssignment.objects.get(community=community, user=moderator)
        services.role_end(actor=world.convener, assignment=term, ends_on=today)
        give_role(
            community, moderator, CommunityRole.MODERATOR, ends_on=today + dt.timedelta(days=20)
        )
        assignments = list(selectors.role_assignments(community=community))
        warnings = selectors.role_warnings(
            community=community, assignments=assignments, today=today
        )
    assert any("Mo Moderator as moderator ends on" in w for w in warnings)
    page = client_for(world.convener).get(url("detail", world)).content.decode()
    assert "no successor is named" in page
    # Naming a successor from the end date clears the warning.
    successor = make_person(world, "next@a.example", "Nina Next")
    give_role(
        community, successor, CommunityRole.MODERATOR, starts_on=today + dt.timedelta(days=20)
    )
    page = client_for(world.convener).get(url("detail", world)).content.decode()
    assert "no successor is named" not in page
    # Ending the facilitator leaves the CoP without one: a warning says so.
    with scope(organization=world.org_a):
        term = CommunityRoleAssignment.objects.get(community=community, user=facilitator)
        services.role_end(actor=world.convener, assignment=term)
    page = client_for(world.convener).get(url("detail", world)).content.decode()
    assert "Nobody is the active facilitator." in page


def test_public_join_makes_a_member(world, client_for):
    _set_call(world, "public")
    newcomer = make_person(world, "new@a.example", "Newt Newcomer")
    client = client_for(newcomer)
    assert "Join this community" in client.get(url("detail", world)).content.decode()
    client.post(url("join", world))
    assert newcomer.has_perm("communities.post_message", world.community_a)
    response = client.post(url("join", world), follow=True)
    assert "You are already part of this community." in response.content.decode()


def test_restricted_join_request_approved_or_declined_with_reason(world, client_for):
    _set_call(world, "restricted")
    asker = make_person(world, "asker@a.example", "Ada Asker")
    other = make_person(world, "other@a.example", "Oli Other")
    client = client_for(asker)
    # A public-only join is refused with a message, not a 500.
    with scope(organization=world.org_a), pytest.raises(ValidationError, match="restricted"):
        services.community_join(actor=asker, community=world.community_a)
    response = client.post(url("join", world), {"job_title": "", "motivation": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    client.post(
        url("join", world),
        {
            "job_title": "ICU nurse",
            "site": world.site_a.pk,
            "expertise": "qSOFA screening",
            "motivation": "Share our audit",
        },
    )
    client_for(other).post(url("join", world), {"job_title": "GP", "motivation": "Learn"})
    with scope(organization=world.org_a):
        asked = JoinRequest.objects.get(user=asker)
        declined = JoinRequest.objects.get(user=other)
    manager = client_for(world.convener)
    assert "ICU nurse" in manager.get(url("join_requests", world)).content.decode()
    response = manager.post(
        url("join_request_decide", world, join_request_id=declined.pk),
        {"decision": "decline", "reason": ""},
    )
    assert "Give the reason for declining." in response.content.decode()
    manager.post(
        url("join_request_decide", world, join_request_id=declined.pk),
        {"decision": "decline", "reason": "Next wave in spring"},
    )
    manager.post(
        url("join_request_decide", world, join_request_id=asked.pk), {"decision": "approve"}
    )
    assert asker.has_perm("communities.post_message", world.community_a)
    assert not other.has_perm("communities.view_community", world.community_a)
    assert "Next wave in spring" in client_for(other).get(url("detail", world)).content.decode()
    with scope(organization=world.org_a):
        profile = MemberProfile.objects.get(community=world.community_a, user=asker)
        assert (profile.job_title, profile.site, profile.expertise) == (
            "ICU nurse",
            world.site_a,
            "qSOFA screening",
        )
        with pytest.raises(ValidationError, match="already been decided"):
            services.join_request_decide(actor=world.convener, join_request=asked, approve=True)


def test_member_without_manage_members_cannot_decide(world, client_for):
    _set_call(world, "restricted")
    asker = make_person(world, "asker@a.example", "Ada Asker")
    with scope(organization=world.org_a):
        request = services.join_request_create(
            actor=asker, community=world.community_a, job_title="Nurse", motivation="Learn"
        )
    member = client_for(world.member)
    assert member.get(url("join_requests", world)).status_code == 403
    response = member.post(
        url("join_request_decide", world, join_request_id=request.pk), {"decision": "approve"}
    )
    assert response.status_code == 403


def test_invitation_accepted_by_the_invited_person_only(world, client_for):
    invitee = make_person(world, "invitee@a.example", "Ivy Invitee")
    client_for(world.convener).post(
        url("invitations", world), {"user": invitee.pk, "message": "Hi"}
    )
    with scope(organization=world.org_a):
        invitation = world.community_a.community_invitations.get()
    response = client_for(world.member).post(
        url("invitation_respond", world, invitation_id=invitation.pk), {"accept": "1"}
    )
    assert response.status_code == 404
    page = client_for(invitee).get(url("detail", world)).content.decode()
    assert "has invited you" in page
    client_for(invitee).post(
        url("invitation_respond", world, invitation_id=invitation.pk), {"accept": "1"}
    )
    assert invitee.has_perm("communities.view_discussions", world.community_a)


def test_directory_is_searchable_by_expertise_and_flags_the_planning_group(world, client_for):
    with scope(organization=world.org_a):
        services.member_profile_update(
            actor=world.convener,
            community=world.community_a,
            user=world.member,
            job_title="Pharmacist",
            expertise="Antibiotic stewardship",
            site=world.site_a,
        )
    client = client_for(world.convener)
    client.post(
        url("member_profile", world, user_id=world.steward.pk),
        {"job_title": "Analyst", "expertise": "Run charts", "planning_group": "on"},
    )
    page = client.get(url("members", world), {"expertise": "stewardship"}).content.decode()
    assert "Manu Member" in page and "Stella Steward" not in page
    with scope(organization=world.org_a):
        assert MemberProfile.objects.get(user=world.steward).planning_group is True
    # A member edits their own entry but not someone else's.
    member = client_for(world.member)
    assert member.get(url("member_profile", world, user_id=world.member.pk)).status_code == 200
    assert member.get(url("member_profile", world, user_id=world.steward.pk)).status_code == 403
    member.post(
        url("member_profile", world, user_id=world.member.pk),
        {"job_title": "Pharmacist", "expertise": "Sepsis bundles", "planning_group": "on"},
    )
    with scope(organization=world.org_a):
        own = MemberProfile.objects.get(user=world.member)
        assert own.expertise == "Sepsis bundles" and own.planning_group is False


def test_a_term_can_be_ended_on_a_chosen_date_from_the_change_page(world, client_for):
    with scope(organization=world.org_a):
        term = CommunityRoleAssignment.objects.get(community=world.community_a, user=world.member)
    client = client_for(world.convener)
    end_url = url("role_end", world, assignment_id=term.pk)
    future = timezone.localdate() + dt.timedelta(days=10)
    body = {"end-ends_on": future.isoformat(), "confirm": "1", "reason": "Moves to another unit"}
    response = client.post(end_url, body)
    assert response["Location"].endswith("/roles/")
    term.refresh_from_db()
    assert term.ends_on == future
    response = client.post(end_url, {"end-ends_on": "1999-01-01"})
    assert "The end date must not be before the start date." in response.content.decode()


def test_joining_before_the_call_is_chosen_is_refused_with_a_message(world, client_for):
    newcomer = make_person(world, "early@a.example", "Eli Early")
    with scope(organization=world.org_a), pytest.raises(ValidationError, match="not open yet"):
        services.community_join(actor=newcomer, community=world.community_a)
    response = client_for(newcomer).post(url("join", world), follow=True)
    assert "The call for members is not open yet." in response.content.decode()
    assert not newcomer.has_perm("communities.view_community", world.community_a)


def test_a_role_change_can_start_on_a_chosen_day(world, client_for):
    with scope(organization=world.org_a):
        term = CommunityRoleAssignment.objects.get(community=world.community_a, user=world.member)
    day = timezone.localdate() + dt.timedelta(days=7)
    client_for(world.convener).post(
        url("role_change", world, assignment_id=term.pk),
        {
            "action": "role",
            "role-role": "facilitator",
            "role-on": day.isoformat(),
            "confirm": "1",
            "reason": "Rotation",
        },
    )
    term.refresh_from_db()
    assert term.ends_on == day
    with scope(organization=world.org_a):
        new = CommunityRoleAssignment.objects.get(user=world.member, role="facilitator")
    assert new.starts_on == day
    # Until that day the member keeps the participant role only.
    assert not world.member.has_perm("communities.manage_members", world.community_a)


def test_invitations_and_join_decisions_are_emailed_once_in_the_persons_language(
    world, django_capture_on_commit_callbacks
):
    from django.core import mail

    invitee = make_person(world, "inv@a.example", "Ines Invitee")
    invitee.language = "es"
    invitee.save()
    asker = make_person(world, "ask@a.example", "Abe Asker")
    _set_call(world, "restricted")
    mail.outbox.clear()
    with scope(organization=world.org_a):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.community_invitation_create(
                actor=world.convener, community=world.community_a, user=invitee, message="Join us"
            )
            request = services.join_request_create(
                actor=asker, community=world.community_a, job_title="GP", motivation="Learn"
            )
            services.join_request_decide(
                actor=world.convener, join_request=request, approve=False, reason="Next wave"
            )
        assert services.community_invitation_notify(invitation=invitation) is False
        assert services.join_decision_notify(join_request=request) is False
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"inv@a.example", "ask@a.example"}
    spanish = by_recipient["inv@a.example"]
    assert spanish.extra_headers["Content-Language"] == "es"
    assert "Join us" in spanish.body and "/communities/sepsis/" in spanish.body
    declined = by_recipient["ask@a.example"]
    assert "declined" in declined.body and "Next wave" in declined.body
