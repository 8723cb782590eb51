"""Evaluation API requests that used to answer 500 (found by the schemathesis run):
results of a periodic survey whose groups are withheld, a CFIR round posted without
its date, and OPTIONS on a chosen strategy."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_scopes import scope

from evaluation.models import CfirRound
from evaluation.tests.helpers import make_barrier_chain, members
from evaluation.tests.test_surveys import answer, build_survey

pytestmark = pytest.mark.django_db


def _base(world) -> str:
    return f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation"


def test_results_of_a_periodic_survey_with_withheld_groups(world, client_for):
    survey, questions = build_survey(world)
    for i, person in enumerate(members(world, 3)):  # fewer than the smallest shown group
        answer(world, survey, questions, person, i)
    response = client_for(world.convener).get(f"{_base(world)}/surveys/{survey.pk}/results/")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "periodic" and body["overall"]["suppressed"] is True
    question = body["overall"]["questions"][0]
    assert question["suppressed"] is True and question["not_relevant"] == ""


def test_results_of_a_periodic_survey_shown_in_full(world, client_for):
    survey, questions = build_survey(world)
    for i, person in enumerate(members(world, 9)):
        answer(world, survey, questions, person, i)
    response = client_for(world.convener).get(f"{_base(world)}/surveys/{survey.pk}/results/")
    assert response.status_code == 200
    question = response.json()["overall"]["questions"][0]
    assert question["suppressed"] is False and question["not_relevant"] == "0"


@time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_cfir_round_without_a_date_is_held_today(world, client_for):
    response = client_for(world.convener).post(
        f"{_base(world)}/cfir-rounds/", {"title": "Baseline"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["held_on"] == "2026-03-04"
    with scope(organization=world.org_a):
        assert CfirRound.objects.get().held_on == dt.date(2026, 3, 4)


def test_options_on_a_chosen_strategy(world, client_for):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
    response = client_for(world.convener).options(f"{_base(world)}/strategies/{chain.choice.pk}/")
    assert response.status_code == 200
    assert response.json()["name"]
