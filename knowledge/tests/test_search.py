"""Full-text search: ranking, language, snippets, extracted text, filters, visibility."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from knowledge import selectors
from knowledge.models import Asset
from knowledge.tests.conftest import make_asset, make_tag, upload
from knowledge.tests.documents import docx_with_text, pdf_with_text

pytestmark = pytest.mark.django_db


def search(world, user, query, organization=None, **filters):
    organization = organization or world.org_a
    with scope(organization=organization):
        viewer = selectors.viewer_for(user=user, organization=organization)
        return list(selectors.asset_search(viewer=viewer, query=query, **filters))


def test_title_matches_rank_above_summary_and_body_matches(world):
    with scope(organization=world.org_a):
        body = make_asset(world, title="Ward checklist", summary="Rounds", body="lactate " * 3)
        summary = make_asset(world, title="Triage sheet", summary="Lactate first", body="x")
        title = make_asset(world, title="Lactate pathway", summary="Steps", body="y")
    results = search(world, world.member, "lactate")
    assert [asset.pk for asset in results] == [title.pk, summary.pk, body.pk]
    assert results[0].rank > results[1].rank > results[2].rank


def test_the_organizations_language_decides_stemming(world):
    world.org_a.language = "es"
    world.org_a.save()
    with scope(organization=world.org_a):
        asset = make_asset(world, title="Protocolo", body="Medimos los lactatos en urgencias")
        assert selectors.search_config(world.org_a) == "spanish"
    # Spanish stemming: "medir" finds "Medimos" (English would not).
    assert [a.pk for a in search(world, world.member, "medir")] == [asset.pk]
    world.org_a.language = "xx"
    assert selectors.search_config(world.org_a) == "simple"


def test_snippets_highlight_matches_and_escape_the_documents_html(world, client_for):
    with scope(organization=world.org_a):
        make_asset(
            world,
            title="Escalation",
            body="Call the <script>alert(1)</script> outreach team when lactate > 4 & rising",
        )
    result = search(world, world.member, "lactate")[0]
    html = str(selectors.snippet_html(result.snippet))
    assert "<mark>lactate</mark>" in html
    assert "<script>" not in html
    assert "&gt; 4 &amp; rising" in html  # the document's own text is escaped
    page = client_for(world.member).get(
        reverse("knowledge:search", kwargs={"org_slug": "network-a"}), {"q": "lactate"}
    )
    assert "<mark>lactate</mark>" in page.content.decode()
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_text_extracted_from_pdf_and_word_files_is_searched(
    world, django_capture_on_commit_callbacks
):
    with scope(organization=world.org_a), django_capture_on_commit_callbacks(execute=True):
        pdf = make_asset(
            world,
            title="Audit",
            body="",
            upload=upload("audit.pdf", pdf_with_text("Chlorhexidine bathing")),
        )
        word = make_asset(
            world,
            title="Minutes",
            body="",
            upload=upload("m.docx", docx_with_text("Capnography monitoring")),
        )
    assert [a.pk for a in search(world, world.member, "chlorhexidine")] == [pdf.pk]
    assert [a.pk for a in search(world, world.member, "capnography")] == [word.pk]


def test_filters_by_kind_tag_community_owner_status_and_date(world, other_cop):
    with scope(organization=world.org_a):
        tag = make_tag(world.org_a, "Antibiotics")
        a = make_asset(world, title="Antibiotic timing checklist", tags=[tag])
        b = make_asset(world, kind=Asset.Kind.PROTOCOL, title="Antibiotic protocol")
        c = make_asset(world, community=other_cop, title="Antibiotic in pregnancy")
    convener = world.convener
    assert {x.pk for x in search(world, convener, "antibiotic")} == {a.pk, b.pk, c.pk}
    assert [x.pk for x in search(world, convener, "antibiotic", kind="protocol")] == [b.pk]
    assert [x.pk for x in search(world, convener, "antibiotic", tag=tag)] == [a.pk]
    assert [x.pk for x in search(world, convener, "antibiotic", community=other_cop)] == [c.pk]
    assert len(search(world, convener, "antibiotic", owner=world.convener)) == 3
    assert search(world, convener, "antibiotic", owner=world.member) == []
    assert search(world, convener, "antibiotic", status="draft") == []
    import datetime as dt

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert search(world, convener, "antibiotic", date_from=tomorrow) == []
    assert len(search(world, convener, "antibiotic", date_to=tomorrow)) == 3


def test_an_outsiders_search_finds_nothing_of_another_organization(world, client_for):
    with scope(organization=world.org_a):
        make_asset(world, title="Sepsis bundle", visibility="organization")
        make_asset(world, title="Sepsis public poster", visibility="public")
    with scope(organization=world.org_b):
        own = make_asset(world, community=world.community_b, actor=world.outsider, title="Sepsis B")
    assert [a.pk for a in search(world, world.outsider, "sepsis", organization=world.org_b)] == [
        own.pk
    ]
    # Asking organization A's search is not even possible for the outsider: 404.
    page = client_for(world.outsider).get(
        reverse("knowledge:search", kwargs={"org_slug": "network-a"}), {"q": "sepsis"}
    )
    assert page.status_code == 404
    api = client_for(world.outsider).get(
        reverse("api_knowledge:search", kwargs={"org_slug": "network-a"}), {"q": "sepsis"}
    )
    assert api.status_code == 404
    own_page = (
        client_for(world.outsider)
        .get(reverse("knowledge:search", kwargs={"org_slug": "network-b"}), {"q": "sepsis"})
        .content.decode()
    )
    assert "Sepsis B" in own_page and "Sepsis bundle" not in own_page
    assert "Sepsis public poster" not in own_page


def test_a_member_finds_nothing_of_a_cop_they_do_not_belong_to(world, other_cop, client_for):
    with scope(organization=world.org_a):
        hidden = make_asset(world, community=other_cop, title="Postpartum haemorrhage drill")
        shared = make_asset(
            world, community=other_cop, title="Haemorrhage poster", visibility="organization"
        )
    assert [a.pk for a in search(world, world.member, "haemorrhage")] == [shared.pk]
    assert {a.pk for a in search(world, world.convener, "haemorrhage")} == {hidden.pk, shared.pk}
    page = (
        client_for(world.member)
        .get(reverse("knowledge:search", kwargs={"org_slug": "network-a"}), {"q": "haemorrhage"})
        .content.decode()
    )
    assert "Haemorrhage poster" in page and "drill" not in page
    api = (
        client_for(world.member)
        .get(
            reverse("api_knowledge:search", kwargs={"org_slug": "network-a"}), {"q": "haemorrhage"}
        )
        .json()
    )
    assert [row["id"] for row in api["results"]] == [shared.pk]
    detail = client_for(world.member).get(
        reverse("knowledge:asset_detail", kwargs={"org_slug": "network-a", "asset_id": hidden.pk})
    )
    assert detail.status_code == 404


def test_drafts_are_found_only_by_their_owners_and_curators(world):
    with scope(organization=world.org_a):
        make_asset(world, actor=world.member, publish=False, title="Draft triage tool")
    assert len(search(world, world.member, "triage")) == 1
    assert len(search(world, world.convener, "triage")) == 1
    assert search(world, world.sponsor, "triage") == []


def test_the_search_vector_has_a_gin_index(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'knowledge_asset_search_gin'"
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition


def test_viewer_rights_agree_with_has_perm(world, other_cop):
    with scope(organization=world.org_a):
        for user in (world.convener, world.member, world.steward, world.sponsor):
            viewer = selectors.viewer_for(user=user, organization=world.org_a)
            for community in (world.community_a, other_cop):
                assert viewer.can_view_community(community.pk) == user.has_perm(
                    "communities.view_community", community
                )
                assert viewer.can_curate(community.pk) == user.has_perm(
                    "knowledge.curate", community
                )


def test_reindex_follows_a_change_of_the_organizations_language(world):
    from io import StringIO

    from django.core.management import call_command

    with scope(organization=world.org_a):
        asset = make_asset(world, title="Protocolo", body="Medimos los lactatos")
    assert search(world, world.member, "medir") == []  # English: "medimos" -> "medimo"
    world.org_a.language = "es"
    world.org_a.save()
    out = StringIO()
    call_command("knowledge_reindex", "--organization", "network-a", stdout=out)
    assert "reindexed" in out.getvalue()
    # Spanish: "medimos" and "medir" share the stem "med".
    assert [a.pk for a in search(world, world.member, "medir")] == [asset.pk]
