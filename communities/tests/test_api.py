"""The communities API: phase and checklist, roles, members, joining, charter, discussions."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.models import Post
from communities.tests.helpers import complete_design, make_person, make_thread
from communities.tests.isolation import path_values

pytestmark = pytest.mark.django_db


def api(name, world, **kwargs):
    base = {"org_slug": world.org_a.slug}
    if name != "list":
        base["community_slug"] = world.community_a.slug
    return reverse(f"api_communities:{name}", kwargs={**base, **kwargs})


def test_community_detail_has_phase_and_checklist(world, client_for):
    client = client_for(world.member)
    data = client.get(api("detail", world)).json()
    assert data["phase"] == "design"
    checklist = {item["key"]: item["complete"] for item in data["checklist"]}
    assert checklist["name"] is True and checklist["problem"] is False
    assert "A published charter." in data["gate_missing"]
    listing = client.get(api("list", world)).json()
    assert [c["phase"] for c in listing["results"]] == ["design"]


def test_phase_transition_through_the_api(world, client_for):
    client = client_for(world.convener)
    refused = client.post(api("phase", world), {"to_phase": "implementation"})
    assert refused.status_code == 400
    assert "A published charter." in refused.json()["error"]["message"]
    complete_design(world)
    ok = client.post(api("phase", world), {"to_phase": "implementation"})
    assert ok.status_code == 201 and ok.json()["from_phase"] == "design"
    assert client.get(api("detail", world)).json()["phase"] == "implementation"
    assert [t["to_phase"] for t in client.get(api("phase", world)).json()] == ["implementation"]
    bad = client.post(api("phase", world), {"to_phase": "nonsense"})
    assert bad.status_code == 400 and "to_phase" in bad.json()["error"]["fields"]
    assert (
        client_for(world.member).post(api("phase", world), {"to_phase": "conclusion"}).status_code
        == 403
    )


def test_roles_and_members_endpoints(world, client_for):
    client = client_for(world.convener)
    roles = client.get(api("roles", world)).json()["results"]
    assignment = next(r for r in roles if r["user"] == world.member.pk)
    ended = client.post(api("role_end", world, assignment_id=assignment["id"]), {})
    assert ended.status_code == 200 and ended.json()["ends_on"]
    members = client.get(api("members", world), {"expertise": ""}).json()["results"]
    assert "Manu Member" not in [m["display_name"] for m in members]
    assert client_for(world.sponsor).get(api("members", world)).status_code == 403


def test_join_and_join_requests(world, client_for):
    newcomer = make_person(world, "new@a.example", "Newt Newcomer")
    with scope(organization=world.org_a):
        services.community_design_save(
            actor=world.convener,
            community=world.community_a,
            step="call",
            values={"call_type": "restricted"},
        )
    client = client_for(newcomer)
    refused = client.post(api("join", world))
    assert refused.status_code == 400 and "ask to join" in refused.json()["error"]["message"]
    invalid = client.post(api("join_requests", world), {"site": 999999})
    assert invalid.status_code == 400 and "motivation" in invalid.json()["error"]["fields"]
    created = client.post(
        api("join_requests", world),
        {"job_title": "Midwife", "motivation": "Learn", "site": world.site_a.pk},
    )
    assert created.status_code == 201 and created.json()["status"] == "pending"
    assert client.get(api("join_requests", world)).status_code == 403
    manager = client_for(world.convener)
    assert len(manager.get(api("join_requests", world)).json()["results"]) == 1
    decided = manager.post(
        api("join_request_decide", world, join_request_id=created.json()["id"]),
        {"decision": "decline"},
    )
    assert decided.status_code == 400 and "reason" in decided.json()["error"]["message"]
    decided = manager.post(
        api("join_request_decide", world, join_request_id=created.json()["id"]),
        {"decision": "approve"},
    )
    assert decided.json()["status"] == "approved"
    assert newcomer.has_perm("communities.post_message", world.community_a)


def test_charter_versions_and_acknowledgements(world, client_for):
    convener = client_for(world.convener)
    published = convener.post(api("charter_versions", world), {"purpose": "Faster care"})
    assert published.status_code == 201 and published.json()["number"] == 1
    assert (
        client_for(world.member).post(api("charter_versions", world), {"purpose": "x"}).status_code
        == 403
    )
    acked = client_for(world.member).post(api("charter_acknowledgements", world, version_number=1))
    assert acked.status_code == 201
    listing = convener.get(api("charter_acknowledgements", world, version_number=1)).json()
    assert [a["user_display_name"] for a in listing["results"]] == ["Manu Member"]
    assert (
        client_for(world.member)
        .get(api("charter_acknowledgements", world, version_number=1))
        .status_code
        == 403
    )
    assert (
        client_for(world.sponsor)
        .post(api("charter_acknowledgements", world, version_number=1))
        .status_code
        == 403
    )
    version = client_for(world.sponsor).get(api("charter_version", world, version_number=1))
    assert version.status_code == 200 and version.json()["purpose"] == "Faster care"
    assert convener.get(api("charter_version", world, version_number=7)).status_code == 404


def test_workstreams_threads_and_posts(world, client_for):
    convener = client_for(world.convener)
    member = client_for(world.member)
    assert member.post(api("workstreams", world), {"name": "X"}).status_code == 403
    ws = convener.post(api("workstreams", world), {"name": "Screening"}).json()
    thread = member.post(
        api("threads", world, workstream_id=ws["id"]),
        {"title": "Lactate", "body": "<script>x</script>**fast**"},
    )
    assert thread.status_code == 201, thread.json()
    thread_id = thread.json()["id"]
    posts = member.get(api("posts", world, thread_id=thread_id)).json()["results"]
    assert "<strong>fast</strong>" in posts[0]["body_html"]
    assert "<script" not in posts[0]["body_html"]
    reply = convener.post(
        api("posts", world, thread_id=thread_id), {"body": "Reply", "parent": posts[0]["id"]}
    )
    assert reply.status_code == 201 and reply.json()["parent"] == posts[0]["id"]
    empty = convener.post(api("posts", world, thread_id=thread_id), {"body": ""})
    assert empty.status_code == 400
    assert member.get(api("thread", world, thread_id=thread_id)).json()["post_count"] == 2
    bad_tag = member.post(
        api("threads", world, workstream_id=ws["id"]), {"title": "T", "body": "B", "tags": ["nope"]}
    )
    assert bad_tag.status_code == 400


def test_sponsor_is_read_only_in_the_api(world, client_for):
    values = path_values(world)
    sponsor = client_for(world.sponsor)
    assert sponsor.get(api("detail", world)).status_code == 200
    assert sponsor.get(api("charter_versions", world)).status_code == 200
    writes = [
        ("phase", {}, {"to_phase": "implementation"}),
        ("roles", {}, {"user": world.sponsor.pk, "role": "convener"}),
        ("workstreams", {}, {"name": "X"}),
        ("threads", {"workstream_id": values["workstream_id"]}, {"title": "t", "body": "b"}),
        ("posts", {"thread_id": values["thread_id"]}, {"body": "b"}),
        ("charter_versions", {}, {"purpose": "x"}),
        ("charter_acknowledgements", {"version_number": values["version_number"]}, {}),
        (
            "join_request_decide",
            {"join_request_id": values["join_request_id"]},
            {"decision": "approve"},
        ),
    ]
    with scope(organization=world.org_a):
        before = Post.objects.count()
    for name, kwargs, body in writes:
        response = sponsor.post(api(name, world, **kwargs), body)
        assert response.status_code == 403, (name, response.status_code)
    for name, kwargs in (
        ("threads", {"workstream_id": values["workstream_id"]}),
        ("posts", {"thread_id": values["thread_id"]}),
        ("workstreams", {}),
        ("members", {}),
        ("join_requests", {}),
    ):
        assert sponsor.get(api(name, world, **kwargs)).status_code == 403, name
    with scope(organization=world.org_a):
        assert Post.objects.count() == before


def test_bad_input_is_a_400_not_a_500(world, client_for):
    _ws, thread = make_thread(world)
    client = client_for(world.convener)
    assert (
        client.post(
            api("posts", world, thread_id=thread.pk), {"parent": "abc", "body": "x"}
        ).status_code
        == 400
    )
    assert client.post(api("roles", world), {"user": "zzz", "role": "king"}).status_code == 400
    assert client.post(api("role_end", world, assignment_id=999999)).status_code == 404


def test_posts_with_attachments_through_the_api(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _ws, thread = make_thread(world)
    client = client_for(world.member)
    posts_url = api("posts", world, thread_id=thread.pk)
    bad = client.post(
        posts_url, {"body": "x", "attachment": SimpleUploadedFile("a.exe", b"MZ\x90\x00abc")}
    )
    assert bad.status_code == 400 and "attachment" in bad.json()["error"]["fields"]
    ok = client.post(
        posts_url, {"body": "notes", "attachment": SimpleUploadedFile("n.txt", b"hello\n")}
    )
    assert ok.status_code == 201
    listed = client.get(posts_url).json()["results"][-1]
    assert listed["attachments"][0]["original_name"] == "n.txt"
    assert client.get(listed["attachments"][0]["url"]).status_code == 200
