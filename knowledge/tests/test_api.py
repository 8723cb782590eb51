"""Knowledge API: scoped, permission-checked, one error shape, never a 500 on bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from knowledge.models import Asset, AssetStatus, FieldNote, NoteStatus, TestOfChange
from knowledge.tests.conftest import make_asset, make_tag

pytestmark = pytest.mark.django_db


def api(name, **kwargs):
    return reverse(f"api_knowledge:{name}", kwargs={"org_slug": "network-a", **kwargs})


def test_assets_list_create_update_and_versions(world, client_for):
    with scope(organization=world.org_a):
        tag = make_tag(world.org_a, "Sepsis")
    member = client_for(world.member)
    response = member.post(
        api("asset_list"),
        {
            "community": "sepsis",
            "kind": "checklist",
            "title": "API checklist",
            "visibility": "organization",
            "tags": ["sepsis"],
            "body": "Step 1",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    asset_id = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["tags"] == ["sepsis"]
    listing = member.get(api("asset_list"), {"kind": "checklist"}).json()
    assert [row["id"] for row in listing["results"]] == [asset_id]
    patch = member.patch(
        api("asset_detail", asset_id=asset_id),
        {"title": "API checklist v2"},
        content_type="application/json",
    )
    assert patch.status_code == 200 and patch.json()["title"] == "API checklist v2"
    versions = member.get(api("version_list", asset_id=asset_id)).json()["results"]
    assert [v["number"] for v in versions] == [1] and len(versions[0]["sha256"]) == 64
    one = member.get(api("version_detail", asset_id=asset_id, version_number=1)).json()
    assert one["body"] == "Step 1"
    assert member.get(api("version_detail", asset_id=asset_id, version_number=9)).status_code == 404
    # Versions are read-only through the API.
    assert member.post(api("version_list", asset_id=asset_id), {}).status_code == 405
    assert tag.pk


def test_curation_actions_through_the_api(world, client_for):
    with scope(organization=world.org_a):
        asset = make_asset(world, actor=world.member, publish=False, title="Draft")
    member, convener = client_for(world.member), client_for(world.convener)
    url = api("asset_action", asset_id=asset.pk)
    assert (
        member.post(url, {"action": "submit"}, content_type="application/json").status_code == 200
    )
    denied = member.post(url, {"action": "publish"}, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    missing_reason = convener.post(url, {"action": "decline"}, content_type="application/json")
    assert (
        missing_reason.status_code == 400 and "reason" in missing_reason.json()["error"]["fields"]
    )
    published = convener.post(url, {"action": "publish"}, content_type="application/json")
    assert published.json()["status"] == AssetStatus.PUBLISHED
    wrong_state = convener.post(
        url, {"action": "request_changes", "reason": "x"}, content_type="application/json"
    )
    assert wrong_state.status_code == 400 and wrong_state.json()["error"]["code"] == "invalid"
    bad = convener.post(url, {"action": "explode"}, content_type="application/json")
    assert bad.status_code == 400


def test_field_notes_and_queue_through_the_api(world, client_for):
    member, convener = client_for(world.member), client_for(world.convener)
    created = member.post(
        api("note_list"),
        {"community": "sepsis", "title": "API note", "body": "Seen at night"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    note_id = created.json()["id"]
    action = api("note_action", note_id=note_id)
    member.post(action, {"action": "submit"}, content_type="application/json")
    queue = convener.get(api("curation_queue")).json()["results"]
    assert [(row["item_type"], row["item_id"]) for row in queue] == [("field_note", note_id)]
    assert member.get(api("curation_queue")).status_code == 403
    promoted = convener.post(
        action, {"action": "promote", "kind": "case_study"}, content_type="application/json"
    )
    assert promoted.status_code == 201 and promoted.json()["kind"] == "case_study"
    with scope(organization=world.org_a):
        assert FieldNote.objects.get(pk=note_id).status == NoteStatus.PROMOTED
        assert Asset.objects.get(pk=promoted.json()["id"]).source_field_note_id == note_id
    assert member.get(api("note_detail", note_id=note_id)).json()["status"] == "promoted"


def test_tests_of_change_through_the_api(world, client_for):
    member = client_for(world.member)
    first = member.post(
        api("test_list"),
        {"community": "sepsis", "title": "Cycle 1", "change_idea": "Screen at triage"},
        content_type="application/json",
    )
    assert first.status_code == 201, first.json()
    second = member.post(
        api("test_list"),
        {
            "community": "sepsis",
            "title": "Cycle 2",
            "change_idea": "Screen at triage",
            "previous_cycle": first.json()["id"],
        },
        content_type="application/json",
    )
    assert second.status_code == 201 and second.json()["previous_cycle"] == first.json()["id"]
    patched = member.patch(
        api("test_detail", test_id=first.json()["id"]),
        {"act_decision": "abandon", "status": "done", "prediction_held": "no"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["next_cycles"] == [second.json()["id"]]
    learning = member.get(api("test_list"), {"learning": "true"}).json()["results"]
    assert [row["title"] for row in learning] == ["Cycle 1"]
    bad_date = member.patch(
        api("test_detail", test_id=first.json()["id"]),
        {"starts_on": "2026-02-10", "ends_on": "2026-02-01"},
        content_type="application/json",
    )
    assert bad_date.status_code == 400
    sponsor = client_for(world.sponsor).post(
        api("test_list"),
        {"community": "sepsis", "title": "x", "change_idea": "y"},
        content_type="application/json",
    )
    assert sponsor.status_code == 403
    with scope(organization=world.org_a):
        assert TestOfChange.objects.count() == 2


def test_api_search_ranks_and_highlights(world, client_for):
    with scope(organization=world.org_a):
        make_asset(world, title="Lactate pathway", body="steps")
        make_asset(world, title="Ward round", body="check lactate")
    rows = client_for(world.member).get(api("search"), {"q": "lactate"}).json()["results"]
    assert [row["title"] for row in rows] == ["Lactate pathway", "Ward round"]
    assert "<mark>lactate</mark>" in rows[1]["snippet"]
    assert client_for(world.member).get(api("search")).json()["results"] == []


def test_filters_naming_unknown_things_answer_an_empty_list(world, client_for):
    with scope(organization=world.org_a):
        make_asset(world, title="Lactate pathway")
    client = client_for(world.member)
    for params in ({"tag": "nope"}, {"community": "nope"}, {"owner": "999999"}, {"owner": "x"}):
        response = client.get(api("asset_list"), params)
        assert response.status_code == 200 and response.json()["results"] == [], params
        search = client.get(api("search"), {"q": "lactate", **params})
        assert search.status_code == 200 and search.json()["results"] == [], params
    assert client.get(api("asset_list"), {"date_from": "garbage"}).status_code == 200
    assert len(client.get(api("asset_list")).json()["results"]) == 1
    tests = client.get(api("test_list"), {"community": "nope"})
    assert tests.status_code == 200 and tests.json()["results"] == []
