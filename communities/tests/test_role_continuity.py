"""A CoP never loses its last convener, an org admin can always name one, and the roles
pages (a table, one Change page per term, a confirmation step with a reason) make role
changes deliberate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.models import CommunityRoleAssignment
from communities.tests.helpers import make_person
from copcore.models import AuditEvent
from copcore.permissions import CommunityRole, OrgRole
from copcore.testing import UserFactory, add_member, give_role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def page(name, world, **kwargs):
    return reverse(
        f"communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def api(name, world, **kwargs):
    return reverse(
        f"api_communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def term_of(world, user, role=None) -> CommunityRoleAssignment:
    with scope(organization=world.org_a):
        found = CommunityRoleAssignment.objects.filter(community=world.community_a, user=user)
        if role:
            found = found.filter(role=role)
        return found.get()


def audit_count(world) -> int:
    with scope(organization=world.org_a):
        return AuditEvent.objects.count()


def make_admin_without_role(world):
    admin = UserFactory(email="admin@a.example", display_name="Ada Admin")
    add_member(world.org_a, admin, role=OrgRole.ADMIN)
    return admin


# --- The rule, in the services ------------------------------------------------------


def test_the_last_convener_can_neither_end_nor_change_away_nor_shorten(world):
    term = term_of(world, world.convener)
    before = audit_count(world)
    with scope(organization=world.org_a):
        with pytest.raises(ValidationError, match="last convener") as ended:
            services.role_end(actor=world.convener, assignment=term)
        assert ended.value.code == "last_convener"
        with pytest.raises(ValidationError, match="last convener"):
            services.role_change(actor=world.convener, assignment=term, role="moderator")
        with pytest.raises(ValidationError, match="last convener"):
            services.role_term_change(
                actor=world.convener,
                assignment=term,
                starts_on=term.starts_on,
                ends_on=TODAY + dt.timedelta(days=90),
            )
    term.refresh_from_db()
    assert term.ends_on is None
    assert not CommunityRoleAssignment.objects.with_scopes_disabled().filter(
        user=world.convener, role="moderator"
    )
    assert audit_count(world) == before
    assert world.convener.has_perm("communities.manage_roles", world.community_a)


def test_with_a_second_convener_the_first_may_leave_but_not_before_the_successor(world):
    successor = make_person(world, "next@a.example", "Nina Next")
    starts = TODAY + dt.timedelta(days=30)
    give_role(world.community_a, successor, CommunityRole.CONVENER, starts_on=starts)
    term = term_of(world, world.convener)
    with scope(organization=world.org_a):
        with pytest.raises(ValidationError, match="last convener"):
            services.role_end(
                actor=world.convener, assignment=term, ends_on=starts - dt.timedelta(1)
            )
        services.role_end(actor=world.convener, assignment=term, ends_on=starts, reason="Handover")
        # The successor's term now carries the CoP: it cannot be ended or moved later.
        successor_term = term_of(world, successor)
        with pytest.raises(ValidationError, match="last convener"):
            services.role_end(
                actor=world.convener,
                assignment=successor_term,
                ends_on=starts + dt.timedelta(days=10),
            )
        with pytest.raises(ValidationError, match="last convener"):
            services.role_term_change(
                actor=world.convener,
                assignment=successor_term,
                starts_on=starts + dt.timedelta(days=5),
                ends_on=None,
            )
        event = AuditEvent.objects.filter(verb="community.role_ended").latest("id")
    assert event.data["reason"] == "Handover"
    term.refresh_from_db()
    assert term.ends_on == starts


def test_two_active_conveners_may_change_one_of_them_to_another_role(world):
    second = make_person(world, "second@a.example", "Sol Second")
    give_role(world.community_a, second, CommunityRole.CONVENER)
    with scope(organization=world.org_a):
        new = services.role_change(
            actor=world.convener,
            assignment=term_of(world, world.convener),
            role="moderator",
            reason="Steps back",
        )
    assert new.role == "moderator"
    assert second.has_perm("communities.manage_roles", world.community_a)


def test_a_cop_already_without_convener_still_accepts_other_changes(world):
    """The rule refuses losing a convener; it does not freeze a CoP that has none."""
    with scope(organization=world.org_a):
        CommunityRoleAssignment.objects.filter(user=world.convener).update(ends_on=TODAY)
        services.community_roles_sync(community=world.community_a)
        services.role_end(actor=world.convener, assignment=term_of(world, world.member))
    assert term_of(world, world.member).ends_on == TODAY


# --- The recovery path: an org admin with no role -----------------------------------


def _leave_without_convener(world):
    """The broken state the rule now prevents, made directly as older data could be."""
    with scope(organization=world.org_a):
        CommunityRoleAssignment.objects.filter(user=world.convener).update(ends_on=TODAY)
        services.community_roles_sync(community=world.community_a)


def test_an_org_admin_without_a_role_names_a_convener_through_the_pages(world, client_for):
    _leave_without_convener(world)
    admin = make_admin_without_role(world)
    client = client_for(admin)
    roles = client.get(page("roles", world))
    assert roles.status_code == 200
    assert "Nobody is the active convener (leader)." in roles.content.decode()
    assert client.get(page("design_checklist", world)).status_code == 200
    assert client.get(page("role_assign", world)).status_code == 200
    body = {
        "user": admin.pk,
        "role": CommunityRole.CONVENER,
        "starts_on": TODAY.isoformat(),
    }
    confirm = client.post(page("role_assign", world), body)
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "Confirm the new convener" in text
    assert "This grants convening rights" in text
    assert not CommunityRoleAssignment.objects.with_scopes_disabled().filter(user=admin)
    done = client.post(
        page("role_assign", world), {**body, "confirm": "1", "reason": "Nobody runs the CoP"}
    )
    assert done.status_code == 302
    assert term_of(world, admin).role == CommunityRole.CONVENER
    assert admin.has_perm("communities.edit_design", world.community_a)
    assert client.get(page("design_step", world, step="problem")).status_code == 200
    with scope(organization=world.org_a):
        event = AuditEvent.objects.filter(verb="community.role_assigned").latest("id")
    assert event.data["reason"] == "Nobody runs the CoP"


def test_an_org_admin_without_a_role_names_a_convener_through_the_api(world, client_for):
    _leave_without_convener(world)
    admin = make_admin_without_role(world)
    client = client_for(admin)
    assert client.get(api("roles", world)).status_code == 200
    created = client.post(
        api("roles", world),
        {"user": world.member.pk, "role": "convener", "starts_on": TODAY.isoformat()},
    )
    assert created.status_code == 201, created.content
    assert world.member.has_perm("communities.manage_roles", world.community_a)
    # An org member without a role gains nothing.
    plain = make_person(world, "plain@a.example", "Pat Plain")
    refused = client_for(plain).post(api("roles", world), {"user": plain.pk, "role": "convener"})
    assert refused.status_code == 403


def test_an_org_admin_of_another_organization_sees_nothing(world, client_for):
    client = client_for(world.outsider)  # admin of organization B
    assert client.get(page("roles", world)).status_code == 404
    assert client.post(api("roles", world), {"user": world.outsider.pk}).status_code == 404


# --- The API ------------------------------------------------------------------------


def test_ending_ones_own_last_convener_role_through_the_api_is_a_409(world, client_for):
    term = term_of(world, world.convener)
    response = client_for(world.convener).post(api("role_end", world, assignment_id=term.pk), {})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "last_convener"
    assert "Connie Convener would be the last convener" in error["message"]
    assert error["fields"] == {}
    term.refresh_from_db()
    assert term.ends_on is None


def test_the_api_records_the_reason_of_an_ended_term(world, client_for):
    term = term_of(world, world.member)
    response = client_for(world.convener).post(
        api("role_end", world, assignment_id=term.pk), {"reason": "Left the hospital"}
    )
    assert response.status_code == 200
    with scope(organization=world.org_a):
        event = AuditEvent.objects.filter(verb="community.role_ended").latest("id")
    assert event.data["reason"] == "Left the hospital"


# --- The pages ----------------------------------------------------------------------


def test_the_roles_page_is_a_table_with_one_change_link_per_term_and_no_forms(world, client_for):
    with scope(organization=world.org_a):
        services.role_end(
            actor=world.convener,
            assignment=term_of(world, world.steward),
            ends_on=TODAY,
            reason="Handed over",
        )
    html = client_for(world.convener).get(page("roles", world)).content.decode()
    main = html.split('id="main"', 1)[1]
    assert "<select" not in main and 'method="post"' not in main
    for person in ("Connie Convener", "Manu Member", "Sam Sponsor"):
        assert f'<th scope="row">{person}</th>' in main
        assignment = term_of(world, UserFactory._meta.model.objects.get(display_name=person))
        assert page("role_change", world, assignment_id=assignment.pk) in main
    # The ended term is history: listed without a Change link.
    ended = term_of(world, world.steward)
    assert "Stella Steward" in main.split("Ended terms", 1)[1]
    assert page("role_change", world, assignment_id=ended.pk) not in main
    # Its Change page says so, and a forged post changes nothing.
    client = client_for(world.convener)
    forged = client.post(
        page("role_change", world, assignment_id=ended.pk),
        {"action": "role", "role-role": "moderator", "confirm": "1", "reason": "x"},
    )
    assert "This term has ended" in forged.content.decode()
    assert not CommunityRoleAssignment.objects.with_scopes_disabled().filter(
        user=world.steward, role="moderator"
    )
    assert term_of(world, world.steward).ends_on == TODAY


def test_the_change_page_preselects_no_role(world, client_for):
    sponsor_term = term_of(world, world.sponsor)
    html = client_for(world.convener).get(page("role_change", world, assignment_id=sponsor_term.pk))
    text = html.content.decode()
    select = re.search(r'<select name="role-role".*?</select>', text, re.S)
    assert select is not None
    options = re.findall(r"<option[^>]*>", select.group(0))
    assert options[0] == '<option value="" selected>'
    assert not any("selected" in o for o in options[1:])
    assert 'value="sponsor"' not in select.group(0)  # the role held now is not offered
    # Posting the form untouched changes nothing and says what is missing.
    untouched = client_for(world.convener).post(
        page("role_change", world, assignment_id=sponsor_term.pk), {"action": "role"}
    )
    assert "There is a problem" in untouched.content.decode()
    assert term_of(world, world.sponsor).ends_on is None


def test_making_the_sponsor_convener_needs_the_confirmation_step_and_a_reason(world, client_for):
    sponsor_term = term_of(world, world.sponsor)
    client = client_for(world.convener)
    change_url = page("role_change", world, assignment_id=sponsor_term.pk)
    body = {"action": "role", "role-role": "convener", "role-on": ""}
    step = client.post(change_url, body)
    text = step.content.decode()
    assert step.status_code == 200
    assert "Confirm the role change" in text and "This grants convening rights" in text
    assert 'name="role-role" value="convener"' in text  # carried to the second post
    assert not world.sponsor.has_perm("communities.manage_roles", world.community_a)
    no_reason = client.post(change_url, {**body, "role-on": TODAY.isoformat(), "confirm": "1"})
    assert "Give the reason for this change." in no_reason.content.decode()
    assert 'autofocus id="error-summary"' in no_reason.content.decode()
    assert term_of(world, world.sponsor).ends_on is None
    done = client.post(
        change_url,
        {**body, "role-on": TODAY.isoformat(), "confirm": "1", "reason": "Co-leads from now"},
    )
    assert done.status_code == 302 and done["Location"].endswith("/roles/")
    sponsor = type(world.sponsor).objects.get(pk=world.sponsor.pk)  # guardian caches perms
    assert sponsor.has_perm("communities.manage_roles", world.community_a)
    with scope(organization=world.org_a):
        ended = AuditEvent.objects.get(verb="community.role_ended")
        assigned = AuditEvent.objects.filter(verb="community.role_assigned").latest("id")
    assert ended.data["reason"] == assigned.data["reason"] == "Co-leads from now"


def test_ending_the_last_convener_on_the_page_says_why_and_changes_nothing(world, client_for):
    term = term_of(world, world.convener)
    client = client_for(world.convener)
    response = client.post(page("role_end", world, assignment_id=term.pk), {"end-ends_on": ""})
    text = response.content.decode()
    assert "would be the last convener to leave" in text
    assert "Confirm the end of the term" not in text
    # Even a forged confirmation is refused by the service.
    forced = client.post(
        page("role_end", world, assignment_id=term.pk),
        {"end-ends_on": TODAY.isoformat(), "confirm": "1", "reason": "x"},
    )
    assert "would be the last convener to leave" in forced.content.decode()
    term.refresh_from_db()
    assert term.ends_on is None


def test_moving_a_terms_end_date_is_confirmed_and_audited(world, client_for):
    term = term_of(world, world.member)
    client = client_for(world.convener)
    change_url = page("role_change", world, assignment_id=term.pk)
    new_end = TODAY + dt.timedelta(days=60)
    body = {"action": "term", "term-ends_on": new_end.isoformat()}
    step = client.post(change_url, body).content.decode()
    assert "Confirm the new term dates" in step
    assert term_of(world, world.member).ends_on is None
    client.post(change_url, {**body, "confirm": "1", "reason": "Six-month placement"})
    assert term_of(world, world.member).ends_on == new_end
    with scope(organization=world.org_a):
        event = AuditEvent.objects.get(verb="community.role_term_changed")
    assert event.data["reason"] == "Six-month placement"
    assert event.data["previous_ends_on"] is None and event.data["ends_on"] == "2026-05-01"


def test_the_roles_table_query_count_does_not_grow_with_people(world, client_for):
    from copcore.testing import steady_query_count

    client = client_for(world.convener)
    url = page("roles", world)
    for i in range(3):
        give_role(world.community_a, make_person(world, f"p{i}@a.example", f"P {i}"), "member")
    baseline = steady_query_count(client, url)
    for i in range(3, 9):
        give_role(world.community_a, make_person(world, f"p{i}@a.example", f"P {i}"), "member")
    assert steady_query_count(client, url) == baseline
