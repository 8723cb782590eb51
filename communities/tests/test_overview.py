"""The CoP overview as a "what needs me now" page, and the role-assignment page that
moved out of it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from communities.models import CommunityRoleAssignment
from communities.tests.helpers import make_thread
from copcore.permissions import CommunityRole
from copcore.testing import give_role, steady_query_count

pytestmark = pytest.mark.django_db


def detail_url(world) -> str:
    return reverse(
        "communities:detail",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )


def assign_url(world) -> str:
    return reverse(
        "communities:role_assign",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )


def test_convener_sees_the_design_gate_and_what_is_missing(world, client_for):
    html = client_for(world.convener).get(detail_url(world)).content.decode()
    assert "What needs you now" in html
    assert "Phase and next step" in html
    assert "A problem statement." in html
    assert "Complete the design" in html


def test_sections_follow_the_persons_rights(world, client_for):
    make_thread(world, title="Nobody answered this")
    member = client_for(world.member).get(detail_url(world)).content.decode()
    assert 'id="threads-heading"' in member and "Nobody answered this" in member
    assert 'id="actions-heading"' in member
    assert "moderation queue" not in member.lower()
    assert 'id="data-heading"' not in member
    sponsor = client_for(world.sponsor).get(detail_url(world)).content.decode()
    assert 'id="threads-heading"' not in sponsor and 'id="actions-heading"' not in sponsor
    steward = client_for(world.steward).get(detail_url(world)).content.decode()
    assert 'id="data-heading"' in steward


def test_moderator_sees_the_moderation_queue_count(world, client_for):
    give_role(world.community_a, world.member, CommunityRole.MODERATOR)
    html = client_for(world.member).get(detail_url(world)).content.decode()
    assert "The moderation queue is empty." in html


def test_overview_has_no_management_form(world, client_for):
    html = client_for(world.convener).get(detail_url(world)).content.decode()
    assert 'name="starts_on"' not in html and "End role of" not in html
    assert assign_url(world) in html


def test_role_assign_page_assigns_and_the_old_post_address_still_works(world, client_for):
    client = client_for(world.convener)
    assert client.get(assign_url(world)).status_code == 200
    today = timezone.localdate().isoformat()
    data = {"user": world.sponsor.pk, "role": CommunityRole.FACILITATOR, "starts_on": today}
    response = client.post(assign_url(world), data)
    assert response.status_code == 302 and response.url == detail_url(world)
    data["role"] = CommunityRole.EQUITY_ADVISOR
    assert client.post(detail_url(world), data).status_code == 302
    with scope(organization=world.org_a):
        roles = set(
            CommunityRoleAssignment.objects.filter(
                community=world.community_a, user=world.sponsor
            ).values_list("role", flat=True)
        )
    assert {CommunityRole.FACILITATOR, CommunityRole.EQUITY_ADVISOR} <= roles


def test_role_assign_page_is_403_without_the_right(world, client_for):
    assert client_for(world.member).get(assign_url(world)).status_code == 403


@pytest.mark.parametrize("persona", ["member", "steward", "convener"])
def test_overview_query_count_does_not_grow(world, client_for, persona):
    client = client_for(getattr(world, persona))
    url = detail_url(world)
    make_thread(world, title="First")
    baseline = steady_query_count(client, url)
    for i in range(6):
        make_thread(world, title=f"Waiting {i}")
    assert steady_query_count(client, url) == baseline
    assert baseline <= 31  # 31: one grouped query for the progress ratings due (issue 22)


def test_org_home_shows_what_needs_the_person_across_cops(world, client_for):
    from communities import services

    make_thread(world, title="Nobody answered this")
    _workstream, answered = make_thread(world, title="Answered")
    with scope(organization=world.org_a):
        services.post_create(actor=world.member, thread=answered, body="An answer")
    url = reverse("org_home", kwargs={"org_slug": world.org_a.slug})
    convener = client_for(world.convener).get(url).content.decode()
    assert "What needs you now" in convener
    assert "things missing before implementation" in convener
    assert "1 thread without a reply" in convener
    sponsor = client_for(world.sponsor).get(url).content.decode()
    assert "thread without a reply" not in sponsor


def test_org_home_query_count_does_not_grow_with_cops(world, client_for):
    from communities.tests.test_query_counts import add_communities

    client = client_for(world.convener)
    url = reverse("org_home", kwargs={"org_slug": world.org_a.slug})
    add_communities(world, 2, 0)
    baseline = steady_query_count(client, url)
    add_communities(world, 5, 2)
    make_thread(world, title="Waiting")
    assert steady_query_count(client, url) == baseline
