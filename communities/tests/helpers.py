"""Shared set-up for the communities tests: a community whose design is complete, and
discussion content, built through the services like a real user would."""

from __future__ import annotations

from django_scopes import scope

from communities import services
from communities.models import Community, Objective, Post, Thread, Workstream
from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role


def make_person(world, email: str, name: str):
    user = UserFactory(email=email, display_name=name)
    add_member(world.org_a, user)
    return user


def complete_design(world, community: Community | None = None, *, publish: bool = True):
    """Fill every design stage of community A (moderator and facilitator included)."""
    community = community or world.community_a
    moderator = make_person(world, "moderator@a.example", "Mo Moderator")
    facilitator = make_person(world, "facilitator@a.example", "Fay Facilitator")
    give_role(community, moderator, CommunityRole.MODERATOR)
    give_role(community, facilitator, CommunityRole.FACILITATOR)
    with scope(organization=community.organization):
        actor = world.convener
        services.community_design_save(
            actor=actor, community=community, step="problem", values={"problem": "Late sepsis"}
        )
        services.community_design_save(
            actor=actor,
            community=community,
            step="objectives",
            values={"objectives": [Objective.PROBLEM_SOLVING]},
        )
        services.community_design_save(
            actor=actor,
            community=community,
            step="audiences",
            values={"target_audiences": "Emergency teams"},
        )
        services.community_design_save(
            actor=actor, community=community, step="call", values={"call_type": "public"}
        )
        services.expected_results_set(
            actor=actor, community=community, results=[("Time to antibiotics < 1h", "audit")]
        )
        if publish:
            services.charter_draft_update(
                actor=actor, community=community, sections={"purpose": "Faster sepsis care"}
            )
            services.charter_publish(actor=actor, community=community)
        community.refresh_from_db()
    return community, moderator, facilitator


def make_thread(world, *, body: str = "First message", title: str = "Screening tools"):
    """A workstream and a thread (with its first post) in community A."""
    with scope(organization=world.org_a):
        workstream = Workstream.objects.filter(community=world.community_a).first()
        if workstream is None:
            workstream = services.workstream_create(
                actor=world.convener, community=world.community_a, name="Screening"
            )
        thread = services.thread_create(
            actor=world.convener, workstream=workstream, title=title, body=body
        )
    return workstream, thread


def first_post(thread: Thread) -> Post:
    with scope(organization=thread.organization):
        return Post.objects.filter(thread=thread).order_by("id").first()
