"""NoMAD rounds: the item bank, results per NPT construct and per site, the change
between rounds, and small groups withheld."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.testing import steady_query_count
from evaluation import nomad, selectors, services
from evaluation.models import Question
from evaluation.tests.helpers import enrol, members
from measurement.models import Site

pytestmark = pytest.mark.django_db


def test_item_bank_matches_the_instrument():
    assert [i.code for i in nomad.GENERAL_ITEMS] == ["G1", "G2", "G3"]
    per_construct = {c.key: 0 for c in nomad.CONSTRUCTS}
    for item in nomad.CONSTRUCT_ITEMS:
        per_construct[item.construct] += 1
    # Finch et al. 2018: 20 construct items, 4 + 4 + 7 + 5.
    assert per_construct == {
        "coherence": 4,
        "cognitive_participation": 4,
        "collective_action": 7,
        "reflexive_monitoring": 5,
    }
    questions = [str(c.question) for c in nomad.CONSTRUCTS]
    assert questions == [
        "Do people make sense of it?",
        "Do people invest in it?",
        "Can people coordinate and do it?",
        "Do people appraise it?",
    ]


def test_round_has_the_23_questions(scope_a):
    world = scope_a
    survey = services.nomad_round_create(
        actor=world.convener, community=world.community_a, practice="the sepsis bundle"
    )
    questions = list(survey.questions.order_by("position"))
    assert survey.anonymous and survey.purpose == "nomad" and len(questions) == 23
    general = [q for q in questions if q.code.startswith("G")]
    assert all(q.kind == "scale" and (q.scale_min, q.scale_max) == (0, 10) for q in general)
    agreement = [q for q in questions if not q.code.startswith("G")]
    assert len(agreement) == 20
    assert all(q.kind == "agreement" and q.allows_not_relevant for q in agreement)
    assert "the sepsis bundle" in questions[0].text


def _answer_all(world, survey, person, *, agree: int, site, not_relevant_codes=()):
    codes = {q.code: q.pk for q in Question.objects.filter(survey=survey)}
    answers = {}
    for code, pk in codes.items():
        if code.startswith("G"):
            answers[pk] = 7
        elif code in not_relevant_codes:
            answers[pk] = "stage"
        else:
            answers[pk] = agree
    services.survey_respond(actor=person, survey=survey, answers=answers, site=site)


def test_results_per_construct_site_and_change(world, client_for):
    people = members(world, 12)
    with scope(organization=world.org_a):
        enrol(world)
        small_site = Site.objects.create(organization=world.org_a, name="Small Clinic", code="SC")
        enrol(world, small_site)
        first = services.nomad_round_create(actor=world.convener, community=world.community_a)
        services.survey_open(actor=world.convener, survey=first)
        for person in people[:9]:
            _answer_all(world, first, person, agree=3, site=world.site_a)
        services.survey_close(actor=world.convener, survey=first)
        second = services.nomad_round_create(actor=world.convener, community=world.community_a)
        services.survey_open(actor=world.convener, survey=second)
        for person in people[:9]:
            _answer_all(
                world, second, person, agree=4, site=world.site_a, not_relevant_codes={"CA6"}
            )
        for person in people[9:]:
            _answer_all(world, second, person, agree=2, site=small_site)
        results = selectors.nomad_results(survey=second)
    assert results.previous == first
    scores = {s.construct.key: s for s in results.overall.constructs}
    # 9 people agree (4) and 3 disagree (2): mean 3.5; 'not relevant' answers left out.
    assert scores["coherence"].mean == 3.5
    assert scores["coherence"].change == 0.5
    assert scores["collective_action"].mean == 3.5
    assert scores["coherence"].respondents == "10"  # 12 rounded to the nearest 5
    general = {item.code: value for item, value in results.overall.general}
    assert general["G1"] == 7
    by_site = {g.label: g for g in results.by_site}
    assert not by_site[world.site_a.name].suppressed
    site_scores = {s.construct.key: s for s in by_site[world.site_a.name].constructs}
    assert site_scores["coherence"].mean == 4 and site_scores["coherence"].change == 1
    assert by_site["Small Clinic"].suppressed and by_site["Small Clinic"].shown_responses == "*"
    assert all(s.mean is None for s in by_site["Small Clinic"].constructs)
    html = (
        client_for(world.sponsor)
        .get(
            reverse(
                "evaluation:survey_results",
                kwargs={
                    "org_slug": world.org_a.slug,
                    "community_slug": world.community_a.slug,
                    "survey_id": second.pk,
                },
            )
        )
        .content.decode()
    )
    assert "Do people make sense of it?" in html and "▲ +0.5" in html
    assert "Finch et al." in html


def test_nomad_results_query_count_is_fixed(world, client_for, django_assert_num_queries):
    people = members(world, 16)
    with scope(organization=world.org_a):
        enrol(world)
        survey = services.nomad_round_create(actor=world.convener, community=world.community_a)
        services.survey_open(actor=world.convener, survey=survey)
        for person in people[:8]:
            _answer_all(world, survey, person, agree=4, site=world.site_a)
    client = client_for(world.convener)
    url = reverse(
        "evaluation:survey_results",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "survey_id": survey.pk,
        },
    )
    first = steady_query_count(client, url)
    with scope(organization=world.org_a):
        for person in people[8:]:
            _answer_all(world, survey, person, agree=2, site=world.site_a)
    with django_assert_num_queries(first):
        assert client.get(url).status_code == 200
