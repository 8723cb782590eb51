"""The one search: every kind in one index, unaccented language-aware matching, phrase and
prefix queries, escaped snippets, facets, "did you mean", and visibility proven with the
tenancy personas (results, counts and facets alike)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from communities import services as community_services
from copcore.testing import steady_query_count
from knowledge import services
from knowledge.models import SearchDocument
from knowledge.search.query import SearchFilters, search
from knowledge.selectors import viewer_for
from knowledge.tests.conftest import make_asset

pytestmark = pytest.mark.django_db


def find(world, user, query, organization=None, **filters):
    organization = organization or world.org_a
    with scope(organization=organization):
        viewer = viewer_for(user=user, organization=organization)
        return search(viewer=viewer, query=query, filters=SearchFilters(**filters))


@pytest.fixture
def content(world, django_capture_on_commit_callbacks):
    """A little of everything in both organizations, indexed by the on-commit hooks."""
    with django_capture_on_commit_callbacks(execute=True):
        with scope(organization=world.org_a):
            asset = make_asset(world, title="Grab bag checklist", body="Stock the grab bag.")
            draft = make_asset(world, title="Secret grab bag draft", body="grab bag", publish=False)
            note = services.field_note_create(
                actor=world.member,
                community=world.community_a,
                title="Night shift",
                body="The infección rate fell after the grab bag arrived.",
            )
            workstream = community_services.workstream_create(
                actor=world.convener, community=world.community_a, name="Bundles"
            )
            thread = community_services.thread_create(
                actor=world.member,
                workstream=workstream,
                title="Should each ward hold a grab bag?",
                body="Delays come from fetching <b>stock</b>.",
            )
        with scope(organization=world.org_b):
            other = make_asset(
                world, community=world.community_b, actor=world.outsider, title="Grab bag B"
            )
    return {"asset": asset, "draft": draft, "note": note, "thread": thread, "other": other}


def test_every_kind_is_found_and_opens_at_its_place(world, content):
    answer = find(world, world.member, '"grab bag"')
    kinds = {result.kind for result in answer.results}
    assert {"asset", "note", "thread", "post"} <= kinds
    assert answer.total == len(answer.results)
    post = next(r for r in answer.results if r.kind == "post")
    assert "#post-" in post.url
    assert all(r.community == world.community_a for r in answer.results)


def test_another_organization_and_drafts_never_show_not_even_in_counts(world, content):
    member = find(world, world.member, "grab")
    titles = {r.title for r in member.results}
    assert "Grab bag B" not in titles
    assert "Secret grab bag draft" not in titles  # a draft: owner and curators only
    assert sum(f.count for f in member.facets["kind"]) == member.total
    convener = find(world, world.convener, "grab")  # the draft's owner and curator
    assert "Secret grab bag draft" in {r.title for r in convener.results}
    assert convener.total == member.total + 1
    outsider = find(world, world.outsider, "grab", organization=world.org_b)
    assert {r.title for r in outsider.results} == {"Grab bag B"}
    # The outsider asking in organization A (where they are no member) gets nothing.
    nothing = find(world, world.outsider, "grab")
    assert nothing.total == 0 and nothing.results == [] and not nothing.suggestion


def test_the_sponsor_does_not_see_discussions(world, content):
    # Sponsors may view the CoP but not its discussions (copcore/permissions.py).
    sponsor = find(world, world.sponsor, "grab bag")
    assert not {"thread", "post"} & {r.kind for r in sponsor.results}
    assert "thread" not in {f.value for f in sponsor.facets["kind"]}
    assert {"asset", "note"} <= {r.kind for r in sponsor.results}


def test_unaccented_prefix_phrase_and_kind_filter(world, content):
    assert [r.kind for r in find(world, world.member, "infeccion").results] == ["note"]
    result = find(world, world.member, "infec*").results[0]
    assert "<mark>infección</mark>" in str(result.snippet_html)
    assert find(world, world.member, '"bag grab"').total == 0
    only_notes = find(world, world.member, "grab", kind="note")
    assert [r.kind for r in only_notes.results] == ["note"]
    assert only_notes.total == 1
    kinds = {f.value: f.count for f in only_notes.facets["kind"]}
    assert kinds["asset"] == 1  # the kind facet ignores the kind filter


def test_snippets_escape_the_documents_markup(world, content):
    post = next(r for r in find(world, world.member, "stock").results if r.kind == "post")
    html = str(post.snippet_html)
    assert "<b>" not in html
    assert "<mark>stock</mark>" in html


def test_did_you_mean_only_suggests_what_the_person_may_see(world, content):
    assert find(world, world.member, "infecion").suggestion == "infeccion"
    with scope(organization=world.org_a):
        call_command("rebuild_search_index")  # rebuild keeps the words
    # "secret" is only in the draft the member may not read: no suggestion reveals it.
    assert find(world, world.member, "secrett").suggestion == ""
    assert find(world, world.convener, "secrett").suggestion == "secret"


def test_writes_keep_the_index_current(world, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), scope(organization=world.org_a):
        content["thread"].delete()
        content["note"].title = "Lactate round"
        content["note"].save()
    with scopes_disabled():
        assert not SearchDocument.objects.filter(kind__in=["thread", "post"]).exists()
        note = SearchDocument.objects.get(kind="note", object_id=content["note"].pk)
    assert note.title == "Lactate round"


def test_rebuild_command_writes_every_document(world, content):
    with scopes_disabled():
        before = set(SearchDocument.objects.values_list("kind", "object_id"))
        SearchDocument.objects.all().delete()
    call_command("rebuild_search_index")
    with scopes_disabled():
        assert set(SearchDocument.objects.values_list("kind", "object_id")) == before


def test_search_page_and_api(world, content, client_for):
    client = client_for(world.member)
    page = client.get(
        reverse("knowledge:one_search", kwargs={"org_slug": "network-a"}), {"q": "grab bag"}
    )
    assert page.status_code == 200
    assert "Grab bag B" not in page.content.decode()
    api = client.get(
        reverse("api_knowledge:one_search", kwargs={"org_slug": "network-a"}), {"q": "grab bag"}
    )
    assert api.status_code == 200
    body = api.json()
    assert body["count"] >= 4
    assert {"asset", "post"} <= {row["kind"] for row in body["results"]}
    assert all(row["community"] in ("sepsis", None) for row in body["results"])
    empty = client.get(reverse("api_knowledge:one_search", kwargs={"org_slug": "network-a"}))
    assert empty.status_code == 400
    assert empty.json()["error"]["code"]
    assert timezone.now()


def test_the_search_page_makes_the_same_queries_for_more_results(
    world, content, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.member)
    page_url = reverse("knowledge:one_search", kwargs={"org_slug": "network-a"})
    before = steady_query_count(client, page_url, {"q": "grab"})
    with django_capture_on_commit_callbacks(execute=True), scope(organization=world.org_a):
        for n in range(5):
            services.field_note_create(
                actor=world.member, community=world.community_a, title=f"Grab note {n}",
                body="grab bag again",
            )  # fmt: skip
    assert steady_query_count(client, page_url, {"q": "grab"}) == before
