"""The barrier -> strategy -> PDSA test -> measure chain and the follow-through view."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from dashboards.selectors import audience_for
from evaluation import selectors, services
from evaluation.models import CfirConstruct, EricStrategy
from evaluation.tests.helpers import make_barrier_chain, make_measure
from knowledge.models import TestOfChange

pytestmark = pytest.mark.django_db

# 20 months: a stable baseline then a clear rise, so the runs rules fire.
SHIFTED = [(50, 100)] * 10 + [(90, 100)] * 10


def _test_of_change(world, title="Huddle prompt", measures=()):
    test = TestOfChange.objects.create(
        organization=world.org_a,
        community=world.community_a,
        author=world.member,
        title=title,
        change_idea="Prompt screening at the morning huddle",
    )
    test.measures.set(measures)
    return test


def test_chain_and_follow_through_flags(scope_a):
    world = scope_a
    chain = make_barrier_chain(world)
    audience = audience_for(user=world.convener, community=world.community_a)
    [row] = selectors.follow_through(community=world.community_a, audience=audience)
    assert row.barrier == chain.barrier
    assert (row.has_strategy, row.has_test, row.has_measure) == (True, False, False)

    measure = make_measure(world, values=SHIFTED)
    test = _test_of_change(world)
    services.strategy_link(actor=world.convener, choice=chain.choice, tests=[test], measures=[])
    [row] = selectors.follow_through(community=world.community_a, audience=audience)
    assert (row.has_test, row.has_measure) == (True, False)

    # A measure reached through the test counts, and carries its current SPC signal.
    test.measures.set([measure])
    [row] = selectors.follow_through(community=world.community_a, audience=audience)
    assert row.complete
    [(found, signal)] = row.strategies[0].measures
    assert found == measure
    assert signal.key == "special_cause"


def test_signal_needs_enough_points_and_reads_common_cause(scope_a):
    world = scope_a
    chain = make_barrier_chain(world)
    few = make_measure(world, code="few", values=[(5, 10)] * 2)
    flat = make_measure(world, code="flat", values=[(50, 100), (52, 100), (49, 100), (51, 100)] * 4)
    services.strategy_link(
        actor=world.convener, choice=chain.choice, tests=[], measures=[few, flat]
    )
    audience = audience_for(user=world.convener, community=world.community_a)
    [row] = selectors.follow_through(community=world.community_a, audience=audience)
    signals = {m.code: s.key for m, s in row.strategies[0].measures}
    assert signals == {"few": "not_enough_data", "flat": "common_cause"}


def test_only_barriers_get_strategies_and_links_stay_in_the_community(scope_a):
    world = scope_a
    chain = make_barrier_chain(world)
    facilitator = CfirConstruct.objects.get(code="I.C")
    services.cfir_ratings_save(
        actor=world.convener,
        cfir_round=chain.cfir_round,
        site=world.site_a,
        entries=[(facilitator, 2, "clear advantage")],
    )
    rating = chain.cfir_round.ratings.get(construct=facilitator)
    with pytest.raises(ValidationError):
        services.strategy_choose(
            actor=world.convener, barrier=rating, strategy=EricStrategy.objects.get(number=5)
        )
    with pytest.raises(ValidationError):  # the same strategy twice
        services.strategy_choose(
            actor=world.convener, barrier=chain.barrier, strategy=chain.choice.strategy
        )
    # A barrier with strategies cannot silently become a facilitator.
    with pytest.raises(ValidationError):
        services.cfir_ratings_save(
            actor=world.convener,
            cfir_round=chain.cfir_round,
            site=world.site_a,
            entries=[(chain.barrier.construct, 1, "fixed")],
        )
    with scope(organization=world.org_b):
        other = TestOfChange.objects.create(
            organization=world.org_b,
            community=world.community_b,
            author=world.outsider,
            title="Elsewhere",
            change_idea="x",
        )
    with pytest.raises(ValidationError):
        services.strategy_link(
            actor=world.convener, choice=chain.choice, tests=[other], measures=[]
        )


def test_follow_through_page_and_api(world, client_for, django_assert_max_num_queries):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
        measure = make_measure(world, values=SHIFTED)
        test = _test_of_change(world, measures=[measure])
        services.strategy_link(
            actor=world.convener, choice=chain.choice, tests=[test], measures=[measure]
        )
    client = client_for(world.member)
    url = reverse(
        "evaluation:follow_through",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Conduct cyclical small tests of change" in html
    assert "Huddle prompt" in html and "Special-cause signal" in html
    assert "✔" in html and "<caption>" in html
    api = client.get(
        f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation/follow-through/"
    ).json()
    assert api[0]["has_strategy"] and api[0]["has_test"] and api[0]["has_measure"]
    assert api[0]["strategies"][0]["measures"][0]["signal"]["key"] == "special_cause"


def test_strategy_pages_link_tests_and_measures(world, client_for):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
        measure = make_measure(world)
        test = _test_of_change(world)
    client = client_for(world.convener)
    kwargs = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    barrier_url = reverse("evaluation:barrier", kwargs={**kwargs, "barrier_id": chain.barrier.pk})
    assert "Tailor strategies" in client.get(barrier_url).content.decode()
    with scope(organization=world.org_a):
        tailor = EricStrategy.objects.get(name="Tailor strategies")
    response = client.post(barrier_url, {"strategy": tailor.pk, "rationale": "fit to the ward"})
    assert response.status_code == 302
    with scope(organization=world.org_a):
        choice = chain.barrier.strategies.get(strategy=tailor)
    strategy_url = reverse("evaluation:strategy", kwargs={**kwargs, "choice_id": choice.pk})
    response = client.post(strategy_url, {"tests": [test.pk], "measures": [measure.pk]})
    assert response.status_code == 302
    with scope(organization=world.org_a):
        assert list(choice.tests.all()) == [test]
        assert list(choice.measures.all()) == [measure]
