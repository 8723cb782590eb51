"""CFIR rounds: ratings, the heat map (accessible, fixed query count), change between
rounds, and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from evaluation import selectors, services
from evaluation.models import CfirConstruct, CfirRating
from evaluation.tests.helpers import enrol, make_barrier_chain
from measurement.models import Site

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(
        f"evaluation:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def _add_sites(world, count):
    with scope(organization=world.org_a):
        sites = [
            Site.objects.create(organization=world.org_a, name=f"Clinic {i}", code=f"C{i}")
            for i in range(count)
        ]
        for site in sites:
            enrol(world, site)
    return sites


def _rate_all(world, cfir_round, site, value):
    constructs = list(CfirConstruct.objects.all())
    services.cfir_ratings_save(
        actor=world.convener,
        cfir_round=cfir_round,
        site=site,
        entries=[(c, value, "seen in interviews") for c in constructs],
    )


def test_ratings_are_limited_to_minus_two_to_plus_two(scope_a):
    world = scope_a
    enrol(world)
    cfir_round = services.cfir_round_create(
        actor=world.convener, community=world.community_a, title="R1", held_on=dt.date(2026, 1, 1)
    )
    construct = CfirConstruct.objects.get(code="I.A")
    with pytest.raises(ValidationError):
        services.cfir_ratings_save(
            actor=world.convener,
            cfir_round=cfir_round,
            site=world.site_a,
            entries=[(construct, 3, "")],
        )
    kept = services.cfir_ratings_save(
        actor=world.convener,
        cfir_round=cfir_round,
        site=world.site_a,
        entries=[(construct, None, "not discussed yet but noted")],
    )
    assert kept == 1
    rating = CfirRating.objects.get(round=cfir_round, construct=construct)
    assert rating.rating is None and not rating.is_barrier


def test_heat_map_shows_signed_numbers_caption_and_change(world, client_for):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)  # III.G = -2 at site A in "Baseline"
        later = services.cfir_round_create(
            actor=world.convener,
            community=world.community_a,
            title="Midpoint",
            held_on=dt.date(2026, 6, 1),
        )
        construct = CfirConstruct.objects.get(code="III.G")
        services.cfir_ratings_save(
            actor=world.convener,
            cfir_round=later,
            site=world.site_a,
            entries=[(construct, 1, "Now a priority")],
        )
        heat = selectors.heat_map(cfir_round=later)
    assert heat.previous == chain.cfir_round
    row = next(r for _d, rows in heat.domains for r in rows if r.construct.code == "III.G")
    assert row.cells[0].label == "+1" and row.cells[0].change == 3
    response = client_for(world.member).get(_url(world, "cfir_round", round_id=later.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "▲ +3" in html  # the change is text, not colour
    assert ">+1<" in html


def test_heat_map_query_count_does_not_grow_with_sites(
    world, client_for, django_assert_num_queries
):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
    client = client_for(world.member)
    url = _url(world, "cfir_round", round_id=chain.cfir_round.pk)
    client.get(url)  # warm caches (content types, sessions)
    import django.db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(django.db.connection) as small:
        assert client.get(url).status_code == 200
    sites = _add_sites(world, 4)
    with scope(organization=world.org_a):
        for site in sites:
            _rate_all(world, chain.cfir_round, site, -1)
    with CaptureQueriesContext(django.db.connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("−1") >= 4 * 67
    assert len(large) == len(small)
    with django_assert_num_queries(len(small)):
        client.get(url)


def test_rating_page_saves_and_keeps_input_on_error(world, client_for):
    with scope(organization=world.org_a):
        enrol(world)
        cfir_round = services.cfir_round_create(
            actor=world.convener,
            community=world.community_a,
            title="R",
            held_on=dt.date(2026, 1, 1),
        )
        construct = CfirConstruct.objects.get(code="IV.M")
    client = client_for(world.convener)
    url = _url(world, "cfir_rate", round_id=cfir_round.pk, site_id=world.site_a.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {f"r{construct.pk}": "x", f"e{construct.pk}": "keep me"})
    assert response.status_code == 200
    assert "keep me" in response.content.decode()
    response = client.post(url, {f"r{construct.pk}": "-1", f"e{construct.pk}": "low motivation"})
    assert response.status_code == 302
    with scope(organization=world.org_a):
        saved = CfirRating.objects.get(round=cfir_round, construct=construct)
    assert saved.rating == -1 and saved.evidence == "low motivation"


def test_api_round_heat_map_and_ratings(world, client_for):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
    client = client_for(world.convener)
    base = f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation"
    response = client.post(
        f"{base}/cfir-rounds/{chain.cfir_round.pk}/ratings/",
        {
            "site": world.site_a.pk,
            "ratings": [{"construct": "I.C", "rating": 2, "evidence": "faster"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = client.get(f"{base}/cfir-rounds/{chain.cfir_round.pk}/").json()
    cells = {c["construct"]: c for c in data["cells"]}
    assert cells["I.C"]["rating"] == 2 and cells["I.C"]["label"] == "+2"
    assert cells["III.G"]["rating"] == -2
    bad = client.post(
        f"{base}/cfir-rounds/{chain.cfir_round.pk}/ratings/",
        {"site": world.site_a.pk, "ratings": [{"construct": "NOPE", "rating": 1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    out_of_range = client.post(
        f"{base}/cfir-rounds/{chain.cfir_round.pk}/ratings/",
        {"site": world.site_a.pk, "ratings": [{"construct": "I.A", "rating": 5}]},
        content_type="application/json",
    )
    assert out_of_range.status_code == 400
    constructs = client.get(
        f"/api/v1/o/{world.org_a.slug}/evaluation/cfir-constructs/?page_size=100"
    )
    assert constructs.json()["count"] == 67
    strategies = client.get(f"/api/v1/o/{world.org_a.slug}/evaluation/eric-strategies/")
    assert strategies.json()["count"] == 73
