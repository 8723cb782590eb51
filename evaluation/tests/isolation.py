"""Path values for the generic isolation test: organization A's objects for every path
kwarg the evaluation routes introduce."""

from __future__ import annotations

from django_scopes import scope

from evaluation.tests.helpers import make_barrier_chain, make_survey


def path_values(world) -> dict[str, str]:
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
        survey, question = make_survey(world)
        from evaluation.models import ResultsRecord

        record = ResultsRecord.objects.create(
            organization=world.org_a, community=world.community_a, requested_by=world.convener
        )
    return {
        "round_id": chain.cfir_round.pk,
        "barrier_id": chain.barrier.pk,
        "choice_id": chain.choice.pk,
        "survey_id": survey.pk,
        "question_id": question.pk,
        "record_id": record.pk,
        "kind": "intranet",
    }
