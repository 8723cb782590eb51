"""Who may do what: another organization gets 404, a member of the organization without
a role in the CoP 403, sponsors read only, participants answer but do not assess."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.testing import UserFactory, add_member
from evaluation import services
from evaluation.models import ResultsRecord
from evaluation.tests.helpers import make_barrier_chain, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
        survey, _question = make_survey(world)
        services.survey_open(actor=world.convener, survey=survey)
    return world, chain, survey


def _page(world, name, **extra):
    return reverse(
        f"evaluation:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **extra},
    )


def _api(world, suffix):
    return f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation/{suffix}"


def test_other_organization_gets_404(setup, client_for):
    world, chain, survey = setup
    client = client_for(world.outsider)
    for url in (
        _page(world, "home"),
        _page(world, "cfir_round", round_id=chain.cfir_round.pk),
        _page(world, "survey_results", survey_id=survey.pk),
        _api(world, "follow-through/"),
        _api(world, f"surveys/{survey.pk}/results/"),
    ):
        assert client.get(url).status_code == 404, url
    # Organization B's own community cannot reach organization A's round either.
    url = reverse(
        "evaluation:cfir_round",
        kwargs={
            "org_slug": world.org_b.slug,
            "community_slug": world.community_b.slug,
            "round_id": chain.cfir_round.pk,
        },
    )
    assert client.get(url).status_code == 404


def test_member_of_the_organization_without_a_role_gets_403(setup, client_for):
    world, chain, survey = setup
    person = UserFactory(email="norole@a.example", display_name="No Role")
    add_member(world.org_a, person)
    client = client_for(person)
    assert client.get(_page(world, "home")).status_code == 403
    assert client.get(_api(world, "cfir-rounds/")).status_code == 403
    assert client.get(_page(world, "survey_respond", survey_id=survey.pk)).status_code == 403


def test_sponsor_reads_but_cannot_change(setup, client_for, django_capture_on_commit_callbacks):
    world, chain, survey = setup
    with scope(organization=world.org_a), django_capture_on_commit_callbacks(execute=True):
        record = services.results_record_request(actor=world.convener, community=world.community_a)
    client = client_for(world.sponsor)
    for url in (
        _page(world, "home"),
        _page(world, "cfir_round", round_id=chain.cfir_round.pk),
        _page(world, "follow_through"),
        _page(world, "survey_results", survey_id=survey.pk),
        _page(world, "conclusion"),
        _page(world, "record_download", record_id=record.pk),
        _api(world, "archive-blockers/"),
    ):
        assert client.get(url).status_code == 200, url
    refused = [
        (_page(world, "cfir_rounds"), {"title": "R", "held_on": "2026-01-01"}),
        (_page(world, "barrier", barrier_id=chain.barrier.pk), {"strategy": 1}),
        (_page(world, "surveys"), {"title": "S", "purpose": "periodic"}),
        (_page(world, "survey_respond", survey_id=survey.pk), {}),
        (_page(world, "conclusion"), {"part": "conclusion"}),
        (_page(world, "record_request"), {}),
    ]
    for url, data in refused:
        assert client.post(url, data).status_code == 403, url
    assert client.get(_page(world, "survey_export", survey_id=survey.pk)).status_code == 403
    response = client.post(_api(world, "results-records/"))
    assert response.status_code == 403
    with scope(organization=world.org_a):
        assert ResultsRecord.objects.count() == 1


def test_participant_answers_but_does_not_assess(setup, client_for):
    world, chain, survey = setup
    client = client_for(world.member)
    assert client.get(_page(world, "survey_respond", survey_id=survey.pk)).status_code == 200
    assert (
        client.post(
            _page(world, "cfir_rate", round_id=chain.cfir_round.pk, site_id=world.site_a.pk), {}
        ).status_code
        == 403
    )
    response = client.post(
        _api(world, f"barriers/{chain.barrier.pk}/strategies/"),
        {"strategy": 5},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    response = client.post(
        _api(world, "cfir-rounds/"),
        {"title": "R", "held_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_convener_assesses_through_the_api(setup, client_for):
    world, chain, survey = setup
    client = client_for(world.convener)
    response = client.post(
        _api(world, f"barriers/{chain.barrier.pk}/strategies/"),
        {"strategy": 5, "rationale": "monthly feedback"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["strategy_name"] == "Audit and provide feedback"
    choice_id = response.json()["id"]
    response = client.put(
        _api(world, f"strategies/{choice_id}/"),
        {"tests": [], "measures": [999999]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert client.delete(_api(world, f"strategies/{choice_id}/")).status_code == 204
