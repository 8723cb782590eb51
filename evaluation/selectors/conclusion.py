"""The conclusion: expected results with their reviews, results records, communications and what
still blocks archiving."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Community, ExpectedResult
from evaluation.models import (
    CommunicationOutput,
    Conclusion,
    ExpectedResultReview,
    ResultsRecord,
    Survey,
)

if TYPE_CHECKING:

    class ReviewedExpectedResult(ExpectedResult):
        """An expected result as ``expected_results_with_reviews`` returns it."""

        current_review: ExpectedResultReview | None

        class Meta:
            abstract = True

# --------------------------------------------------------------------------- conclusion


def expected_results_with_reviews(*, community: Community) -> list[ReviewedExpectedResult]:
    """The CoP's expected results, each with ``review`` (or None) attached; two queries."""
    results = cast(
        "list[ReviewedExpectedResult]",
        list(ExpectedResult.objects.filter(community=community).order_by("position", "id")),
    )
    reviews = {
        r.expected_result_id: r for r in ExpectedResultReview.objects.filter(community=community)
    }
    for result in results:
        result.current_review = reviews.get(result.pk)
    return results


def conclusion_of(*, community: Community) -> Conclusion | None:
    return Conclusion.objects.filter(community=community).first()


def results_records(*, community: Community) -> QuerySet[ResultsRecord]:
    return ResultsRecord.objects.filter(community=community).select_related("requested_by")


def results_record_get(*, community: Community, record_id: int) -> ResultsRecord:
    found = ResultsRecord.objects.filter(community=community, pk=record_id).first()
    if found is None:
        raise Http404
    return found


def latest_ready_record(*, community: Community) -> ResultsRecord | None:
    return (
        ResultsRecord.objects.filter(community=community, status=ResultsRecord.Status.READY)
        .order_by("-created_at", "-id")
        .first()
    )


def communications(*, community: Community) -> list[CommunicationOutput]:
    return list(CommunicationOutput.objects.filter(community=community).order_by("kind"))


def communication_get(*, community: Community, kind: str) -> CommunicationOutput:
    found = CommunicationOutput.objects.filter(community=community, kind=kind).first()
    if found is None:
        raise Http404
    return found


def archive_blockers(*, community: Community) -> list[str]:
    """Why the CoP may not be archived yet, as sentences for the person trying; an empty
    list means it may. Archiving needs the final assessment (a closed final satisfaction
    survey and a recorded status for every expected result) and the results record."""
    reasons: list[str] = []
    if not Survey.objects.filter(
        community=community, purpose=Survey.Purpose.FINAL, status=Survey.Status.CLOSED
    ).exists():
        reasons.append(_("The final satisfaction survey has not been run and closed."))
    unreviewed = (
        ExpectedResult.objects.filter(community=community)
        .exclude(
            pk__in=ExpectedResultReview.objects.filter(community=community).values(
                "expected_result_id"
            )
        )
        .count()
    )
    if unreviewed:
        reasons.append(
            ngettext(
                "%(n)d expected result has no recorded status (achieved, partly or not).",
                "%(n)d expected results have no recorded status (achieved, partly or not).",
                unreviewed,
            )
            % {"n": unreviewed}
        )
    if latest_ready_record(community=community) is None:
        reasons.append(_("The results record has not been produced."))
    return reasons
