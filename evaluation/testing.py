"""Test support other apps may use: bring a CoP to the point where it may be archived."""

from __future__ import annotations

from communities.models import Community, ExpectedResult
from copcore.models import User
from evaluation import services
from evaluation.models import ResultsRecord


def make_archivable(*, actor: User, community: Community) -> ResultsRecord:
    """Run and close a final survey, record a status for every expected result and
    build the results record, in the caller's scope (no Celery needed)."""
    survey = services.survey_create(
        actor=actor, community=community, title="Final satisfaction survey", purpose="final"
    )
    services.question_add(actor=actor, survey=survey, kind="text", text="Comments?")
    services.survey_open(actor=actor, survey=survey)
    services.survey_close(actor=actor, survey=survey)
    for result in ExpectedResult.objects.filter(community=community):
        services.expected_result_review_save(
            actor=actor, expected_result=result, status="achieved", evidence="Final audit"
        )
    record = ResultsRecord.objects.create(
        organization=community.organization, community=community, requested_by=actor
    )
    return services.results_record_build(record=record)
