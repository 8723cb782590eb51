"""Every page inside a CoP keeps the CoP's header and navigation, so a person always
sees where they are: the pages under /o/<org>/communities/<cop>/ (found by following
links through the demo, as the personas would) and the CoP's knowledge pages, which
live under the organization's /knowledge/ but are about one CoP."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.demo import seed_demo

pytestmark = pytest.mark.django_db

HEADER = 'class="cop-header"'
ORG = "northshore"
SKIP = (".csv", ".xlsx", ".ics", ".pdf", ".svg", ".png", ".zip", ".json", "/export", "/download")


def cop_pages(client, cop: str, limit: int = 250) -> tuple[int, list[str]]:
    """Breadth first over the links under the CoP's prefix; the HTML pages without the
    header (one page per URL shape: /sessions/12/ stands for /sessions/13/)."""
    prefix = f"/o/{ORG}/communities/{cop}/"
    queue, seen, shapes = deque([prefix]), {prefix}, Counter[str]()
    missing: list[str] = []
    visited = 0
    while queue and visited < limit:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if HEADER not in html:
            missing.append(path)
        for href in re.findall(r'<a [^>]*href="([^"#?]+)', html):
            target = urlsplit(href).path
            shape = re.sub(r"/\d+(?=/)", "/<n>", target)
            if (
                target.startswith(prefix)
                and not target.endswith(SKIP)
                and not any(part in target for part in SKIP)
                and target not in seen
                and shapes[shape] < 1
            ):
                seen.add(target)
                shapes[shape] += 1
                queue.append(target)
    return visited, missing


@pytest.mark.parametrize("persona", ["convener", "steward", "member"])
def test_every_cop_page_carries_the_cop_header(persona, client_for):
    from copcore.models import User

    seed_demo()
    client = client_for(User.objects.get(email=f"{persona}@example.org"))
    visited, missing = cop_pages(client, "sepsis")
    assert visited > 15
    assert missing == []


def test_the_data_entry_grid_carries_the_cop_header(world, client_for):
    url = reverse(
        "measurement:entry",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "site_id": world.site_a.pk,
        },
    )
    from measurement.models import SiteEnrolment

    with scope(organization=world.org_a):
        import datetime as dt

        SiteEnrolment.objects.create(
            organization=world.org_a,
            community=world.community_a,
            site=world.site_a,
            enrolled_on=dt.date(2024, 1, 1),
        )
    html = client_for(world.steward).get(url).content.decode()
    assert HEADER in html and "Sepsis CoP" in html
    assert 'aria-label="Community"' in html


def test_knowledge_pages_of_a_cop_carry_its_header(world, client_for):
    from knowledge import services
    from knowledge.models import Asset

    org = world.org_a.slug
    with scope(organization=world.org_a):
        asset = services.asset_create(
            actor=world.convener,
            organization=world.org_a,
            community=world.community_a,
            kind=Asset.Kind.CHECKLIST,
            title="Sepsis screening checklist",
            body="Screen every adult at triage.",
            visibility="community",
        )
        services.asset_publish(actor=world.convener, asset=asset)
        org_wide = services.asset_create(
            actor=world.convener,
            organization=world.org_a,
            community=None,
            kind=Asset.Kind.CHECKLIST,
            title="Organization handbook",
            body="For everyone.",
            visibility="organization",
        )
    client = client_for(world.convener)
    cop = {"community": world.community_a.pk}
    knowledge_tab = reverse("knowledge:asset_list", kwargs={"org_slug": org})
    for url, params in (
        (knowledge_tab, cop),
        (reverse("knowledge:asset_detail", kwargs={"org_slug": org, "asset_id": asset.pk}), {}),
        (reverse("knowledge:test_list", kwargs={"org_slug": org}), cop),
        (reverse("knowledge:note_list", kwargs={"org_slug": org}), cop),
        (reverse("knowledge:curation_queue", kwargs={"org_slug": org}), cop),
    ):
        html = client.get(url, params).content.decode()
        assert HEADER in html, url
        # The CoP's Knowledge entry is the current one, its repository link keeps the CoP.
        assert re.search(r'is-current"><a [^>]*>Knowledge<', html), url
        assert f"{knowledge_tab}?community={world.community_a.pk}" in html
    whole = client.get(
        reverse("knowledge:asset_detail", kwargs={"org_slug": org, "asset_id": org_wide.pk})
    ).content.decode()
    assert HEADER not in whole
    assert HEADER not in client.get(knowledge_tab).content.decode()


def test_knowledge_header_never_names_another_organizations_cop(world, client_for):
    url = reverse("knowledge:asset_list", kwargs={"org_slug": world.org_a.slug})
    html = client_for(world.member).get(url, {"community": world.community_b.pk}).content
    assert HEADER.encode() not in html and b"Postpartum" not in html
