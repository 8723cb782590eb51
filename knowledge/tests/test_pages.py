"""Pages: query counts that do not grow with the rows, lists and filters, public page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.testing import steady_query_count
from knowledge import services
from knowledge.models import Asset
from knowledge.tests.conftest import make_asset, make_tag, upload
from knowledge.tests.documents import pdf_with_text

pytestmark = pytest.mark.django_db


def add_assets(world, count: int, start: int, tag) -> None:
    with scope(organization=world.org_a):
        for index in range(start, start + count):
            asset = make_asset(
                world, title=f"Sepsis asset {index}", body=f"Lactate step {index}", tags=[tag]
            )
            services.asset_update(
                actor=world.convener,
                asset=asset,
                title=asset.title,
                summary="",
                kind=asset.kind,
                visibility=asset.visibility,
                tags=[tag],
                co_owners=[world.member],
            )


def add_waiting_items(world, count: int) -> None:
    with scope(organization=world.org_a):
        for index in range(count):
            note = services.field_note_create(
                actor=world.member, community=world.community_a, title=f"Note {index}", body="b"
            )
            services.field_note_submit(actor=world.member, note=note)
            asset = make_asset(world, actor=world.member, publish=False, title=f"Draft {index}")
            services.asset_submit(actor=world.member, asset=asset)


@pytest.mark.parametrize(
    ("route", "params"),
    [("knowledge:asset_list", {}), ("knowledge:search", {"q": "lactate"})],
)
def test_asset_list_and_search_use_a_fixed_number_of_queries(world, client_for, route, params):
    with scope(organization=world.org_a):
        tag = make_tag(world.org_a, "Sepsis")
    client = client_for(world.member)
    url = reverse(route, kwargs={"org_slug": "network-a"})
    add_assets(world, 3, 0, tag)
    few = steady_query_count(client, url, params)
    add_assets(world, 6, 3, tag)
    many = steady_query_count(client, url, params)
    assert few == many
    html = client.get(url, params).content.decode()
    assert html.count("Sepsis asset") == 9


def test_curation_queue_uses_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.convener)
    url = reverse("knowledge:curation_queue", kwargs={"org_slug": "network-a"})
    add_waiting_items(world, 2)
    few = steady_query_count(client, url)
    add_waiting_items(world, 4)
    many = steady_query_count(client, url)
    assert few == many
    assert client.get(url).content.decode().count("Note ") == 6


def test_list_filters_and_pagination(world, client_for):
    with scope(organization=world.org_a):
        tag = make_tag(world.org_a, "Sepsis")
        make_asset(world, title="Tagged", tags=[tag])
        make_asset(world, title="Plain", kind="protocol")
    client = client_for(world.member)
    url = reverse("knowledge:asset_list", kwargs={"org_slug": "network-a"})
    html = client.get(url, {"tag": tag.pk}).content.decode()
    assert "Tagged" in html and "Plain" not in html
    html = client.get(url, {"kind": "protocol"}).content.decode()
    assert "Plain" in html and "Tagged" not in html
    # A bad filter value is a form error, not a 500.
    assert client.get(url, {"date_from": "not-a-date"}).status_code == 200


def test_public_route_is_mounted_by_the_project_at_p(world, client):
    """Needs ``path("p/", include((knowledge_urls.public_urlpatterns, "public_knowledge")))``
    in copcore/urls.py (the lead's change)."""
    with scope(organization=world.org_a):
        public = make_asset(world, title="Sepsis poster", visibility="public")
    url = reverse("public_knowledge:asset", kwargs={"public_id": public.public_id})
    assert url == f"/p/assets/{public.public_id}/"
    assert client.get(url).status_code == 200


def test_public_asset_is_readable_without_login_at_a_stable_address(world, client):
    with scope(organization=world.org_a):
        public = make_asset(
            world,
            title="Sepsis poster",
            visibility="public",
            body="Shared results",
            upload=None,
        )
        file_asset = make_asset(
            world,
            title="Poster PDF",
            visibility="public",
            body="",
            upload=upload("p.pdf", pdf_with_text("x")),
        )
        private = make_asset(world, title="Internal", visibility="organization")
        draft = make_asset(world, title="Draft public", visibility="public", publish=False)
    url = reverse("public_knowledge:asset", kwargs={"public_id": public.public_id})
    assert url == f"/p/assets/{public.public_id}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "Shared results" in response.content.decode()
    download = client.get(
        reverse("public_knowledge:asset_file", kwargs={"public_id": file_asset.public_id})
    )
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    for hidden in (private, draft):
        missing = client.get(
            reverse("public_knowledge:asset", kwargs={"public_id": hidden.public_id})
        )
        assert missing.status_code == 404


def test_asset_detail_shows_owner_versions_and_public_address(world, client_for):
    with scope(organization=world.org_a):
        asset = make_asset(world, title="Poster", visibility="public", co_owners=[world.member])
    html = (
        client_for(world.member)
        .get(
            reverse(
                "knowledge:asset_detail", kwargs={"org_slug": "network-a", "asset_id": asset.pk}
            )
        )
        .content.decode()
    )
    assert "Connie Convener" in html and "Manu Member" in html


def test_only_curators_see_the_fingerprint_of_versions(world, client_for):
    """The SHA-256 checksum is a curator's tool (knowledge.curate): members (even a
    co-owner) and sponsors do not see it on the asset or on a version."""
    with scope(organization=world.org_a):
        asset = make_asset(world, title="Poster", co_owners=[world.member])
    sha256 = asset.current_version.sha256
    kwargs = {"org_slug": "network-a", "asset_id": asset.pk}
    pages = [
        reverse("knowledge:asset_detail", kwargs=kwargs),
        reverse("knowledge:version_detail", kwargs=kwargs | {"version_number": 1}),
    ]
    for person in (world.member, world.sponsor):
        for page in pages:
            html = client_for(person).get(page).content.decode()
            assert "Fingerprint (SHA-256)" not in html and sha256[:12] not in html, page
    for page in pages:
        html = client_for(world.convener).get(page).content.decode()
        assert "Fingerprint (SHA-256)" in html and sha256[:12] in html, page


def test_sponsor_reads_but_cannot_edit(world, client_for):
    with scope(organization=world.org_a):
        asset = make_asset(world, title="Read only")
    client = client_for(world.sponsor)
    kwargs = {"org_slug": "network-a", "asset_id": asset.pk}
    assert client.get(reverse("knowledge:asset_detail", kwargs=kwargs)).status_code == 200
    assert client.get(reverse("knowledge:asset_edit", kwargs=kwargs)).status_code == 403
    assert client.get(reverse("knowledge:version_new", kwargs=kwargs)).status_code == 403
    assert (
        client.get(reverse("knowledge:note_create", kwargs={"org_slug": "network-a"})).status_code
        == 403
    )


POST_ONLY = {
    "version_restore",
    "asset_submit",
    "asset_curate",
    "package_item_add",
    "package_item_move",
    "package_item_remove",
    "note_submit",
    "note_curate",
}


def test_every_knowledge_page_renders_for_each_persona(world, client_for):
    """Every GET page answers 200 (or 403 for a missing role), never an error."""
    from knowledge.tests.isolation import path_values

    with scope(organization=world.org_a):
        values = {key: str(value) for key, value in path_values(world).items()}
        package = Asset.objects.get(pk=values["asset_id"])
        services.asset_version_create(actor=world.convener, asset=package, body="Second text")
    from copcore.tests.test_isolation import walk

    routes = [
        (name, kwargs)
        for name, kwargs, top, _raw in walk()
        if name and name.startswith("knowledge:")
    ]
    assert len(routes) >= 25
    for user in (world.convener, world.member, world.sponsor):
        client = client_for(user)
        for name, kwargs in routes:
            url = reverse(name, kwargs={k: values.get(k, "network-a") for k in kwargs})
            response = client.get(url)
            if name.split(":")[1] in POST_ONLY:
                assert response.status_code == 405, (user, url, response.status_code)
                continue
            assert response.status_code in (200, 403), (user, url, response.status_code)
            # The convener may do everything except edit the member's own note.
            if user == world.convener and name != "knowledge:note_edit":
                assert response.status_code == 200, (url, response.status_code)
            if user == world.member and name == "knowledge:note_edit":
                assert response.status_code == 200
