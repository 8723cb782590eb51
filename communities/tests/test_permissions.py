"""Who may do what: sponsors are read-only everywhere, a member lacking a role gets 403,
and another organization's objects are 404 (pages and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.models import Post, Thread, Workstream
from communities.tests.helpers import complete_design, first_post, make_thread
from communities.tests.isolation import path_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(world):
    return path_values(world)


def _page(name, world, values, *only):
    kwargs = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    kwargs.update({k: values[k] for k in only})
    return reverse(f"communities:{name}", kwargs=kwargs)


# Every page that changes something, with the path values it needs and a plausible body.
WRITE_PAGES = [
    ("detail", (), {"user": "MEMBER", "role": "moderator", "starts_on": "2026-01-01"}),
    ("role_end", ("assignment_id",), {}),
    ("role_change", ("assignment_id",), {"role": "moderator"}),
    ("design_step", ("step",), {"problem": "changed"}),
    ("phase", (), {"to_phase": "implementation"}),
    ("tags", (), {"new_tags": "x"}),
    ("join_request_decide", ("join_request_id",), {"decision": "approve"}),
    ("invitations", (), {"user": "MEMBER"}),
    ("member_profile", ("user_id",), {"job_title": "x"}),
    ("charter_edit", (), {"purpose": "changed", "publish": "1"}),
    ("charter_acknowledge", ("version_number",), {}),
    ("workstreams", (), {"name": "New"}),
    ("workstream_detail", ("workstream_id",), {"title": "t", "body": "b"}),
    ("thread_detail", ("thread_id",), {"body": "reply"}),
    ("thread_moderate", ("thread_id",), {"action": "pin"}),
    ("thread_close", ("thread_id",), {"summary": "done"}),
    ("thread_tags", ("thread_id",), {}),
    ("post_edit", ("post_id",), {"body": "changed"}),
    ("post_flag", ("post_id",), {"reason": "x"}),
    ("flag_resolve", ("flag_id",), {"decision": "uphold"}),
    ("escalations", (), {"title": "x", "escalated_to": "other", "owner": "MEMBER"}),
    ("escalation_detail", ("escalation_id",), {"status": "closed", "owner": "MEMBER"}),
]


def test_sponsor_cannot_change_anything_through_the_pages(world, client_for, values):
    from copcore.models import AuditEvent

    values["assignment_id"] = str(
        world.community_a.role_assignments.model.objects.with_scopes_disabled()
        .filter(community=world.community_a, user=world.member)
        .get()
        .pk
    )
    sponsor = client_for(world.sponsor)
    with scope(organization=world.org_a):
        before = AuditEvent.objects.count()
        posts_before = Post.objects.count()
    for name, kwargs, body in WRITE_PAGES:
        data = {k: (world.member.pk if v == "MEMBER" else v) for k, v in body.items()}
        response = sponsor.post(_page(name, world, values, *kwargs), data)
        assert response.status_code == 403, (name, response.status_code)
    with scope(organization=world.org_a):
        assert AuditEvent.objects.count() == before
        assert Post.objects.count() == posts_before


def test_sponsor_sees_the_read_only_overview_but_not_the_members_space(world, client_for, values):
    complete_design(world)
    sponsor = client_for(world.sponsor)
    overview = sponsor.get(_page("detail", world, values)).content.decode()
    assert "Late sepsis" in overview and "Time to antibiotics" in overview
    assert "Summary figures" in overview
    assert "Assign a role" not in overview and "End role of" not in overview
    for name in ("design_checklist", "phase", "charter", "roles"):
        page = sponsor.get(_page(name, world, values))
        assert page.status_code == 200, name
        assert '<form method="post"' not in page.content.decode().split("</nav>", 2)[-1], name
    for name, kwargs in (
        ("workstreams", ()),
        ("members", ()),
        ("escalations", ()),
        ("thread_detail", ("thread_id",)),
        ("post_history", ("post_id",)),
        ("workstream_detail", ("workstream_id",)),
        ("tags", ()),
        ("moderation", ()),
        ("join_requests", ()),
    ):
        assert sponsor.get(_page(name, world, values, *kwargs)).status_code == 403, name


def test_a_member_without_the_role_gets_403_and_the_convener_does_not(world, client_for, values):
    member = client_for(world.member)
    convener = client_for(world.convener)
    for name, kwargs in (
        ("design_step", ("step",)),
        ("charter_edit", ()),
        ("moderation", ()),
        ("join_requests", ()),
        ("invitations", ()),
    ):
        assert member.get(_page(name, world, values, *kwargs)).status_code == 403, name
        assert convener.get(_page(name, world, values, *kwargs)).status_code == 200, name
    assert (
        member.post(_page("phase", world, values), {"to_phase": "implementation"}).status_code
        == 403
    )
    assert member.post(_page("workstreams", world, values), {"name": "X"}).status_code == 403


def test_organization_member_without_a_role_sees_the_front_page_only(world, client_for, values):
    from communities.tests.helpers import make_person

    stranger = make_person(world, "stranger@a.example", "Stan Stranger")
    client = client_for(stranger)
    assert client.get(_page("detail", world, values)).status_code == 200
    assert client.get(_page("thread_detail", world, values, "thread_id")).status_code == 403
    assert (
        client.post(_page("thread_detail", world, values, "thread_id"), {"body": "x"}).status_code
        == 403
    )


def test_objects_of_another_organization_are_404_under_ones_own(world, client_for):
    """Org B's thread id under org A's community (the outsider is also an org A member
    here) is the same 404 as a missing id."""
    _ws, thread_a = make_thread(world)
    with scope(organization=world.org_b):
        workstream_b = services.workstream_create(
            actor=world.outsider, community=world.community_b, name="B stream"
        )
        thread_b = services.thread_create(
            actor=world.outsider, workstream=workstream_b, title="B secret", body="Secret"
        )
        post_b = Post.objects.get(thread=thread_b)
    client = client_for(world.convener)
    base = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    for name, kwargs in (
        ("thread_detail", {"thread_id": thread_b.pk}),
        ("workstream_detail", {"workstream_id": workstream_b.pk}),
        ("post_history", {"post_id": post_b.pk}),
    ):
        response = client.get(reverse(f"communities:{name}", kwargs={**base, **kwargs}))
        assert response.status_code == 404, name
    api = reverse("api_communities:posts", kwargs={**base, "thread_id": thread_b.pk})
    missing = reverse("api_communities:posts", kwargs={**base, "thread_id": 999999})
    assert client.get(api).status_code == 404
    assert client.get(api).json() == client.get(missing).json()
    assert thread_a.pk != thread_b.pk
    with scope(organization=world.org_a):
        assert not Thread.objects.filter(pk=thread_b.pk).exists()
        assert not Workstream.objects.filter(pk=workstream_b.pk).exists()
    first_post(thread_a)
