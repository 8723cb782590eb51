"""Query counts that do not grow with rows: the CoP list, the CoP page and a thread."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.tests.helpers import make_person, make_thread
from copcore.permissions import CommunityRole
from copcore.testing import give_role, make_community, steady_query_count

pytestmark = pytest.mark.django_db


def add_communities(world, n: int, start: int):
    for i in range(start, start + n):
        community = make_community(world.org_a, world.convener, f"CoP {i}", f"cop-{i}")
        with scope(organization=world.org_a):
            services.expected_results_set(
                actor=world.convener, community=community, results=[("R", ""), ("S", "")]
            )


def add_people(world, n: int, start: int):
    for i in range(start, start + n):
        person = make_person(world, f"p{i}@a.example", f"Person {i}")
        give_role(world.community_a, person, CommunityRole.MEMBER)


def add_posts(world, thread, n: int):
    with scope(organization=world.org_a):
        for i in range(n):
            services.post_create(actor=world.member, thread=thread, body=f"Post {i} @[Manu Member]")


def test_community_list_query_count_is_constant(world, client_for):
    client = client_for(world.member)
    url = reverse("org_home", kwargs={"org_slug": world.org_a.slug})
    add_communities(world, 3, 0)
    baseline = steady_query_count(client, url)
    add_communities(world, 6, 3)
    assert steady_query_count(client, url) == baseline


def test_community_page_query_count_is_constant(world, client_for):
    client = client_for(world.convener)
    url = reverse(
        "communities:detail",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    add_people(world, 3, 0)
    make_thread(world)
    baseline = steady_query_count(client, url)
    add_people(world, 6, 3)
    make_thread(world, title="Another")
    assert steady_query_count(client, url) == baseline
    # The "what needs me" sections (gate, action items, sessions, threads waiting,
    # moderation, data due, signals, progress ratings due) each read a fixed number
    # of rows.
    assert baseline <= 31


def test_thread_page_query_count_is_constant(world, client_for):
    client = client_for(world.convener)
    _ws, thread = make_thread(world)
    with scope(organization=world.org_a):
        tag = services.tag_create(actor=world.convener, organization=world.org_a, name="Sepsis")
        services.thread_tags_set(actor=world.convener, thread=thread, tags=[tag])
    url = reverse(
        "communities:thread_detail",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "thread_id": thread.pk,
        },
    )
    add_posts(world, thread, 3)
    baseline = steady_query_count(client, url)
    add_posts(world, thread, 6)
    assert steady_query_count(client, url) == baseline
