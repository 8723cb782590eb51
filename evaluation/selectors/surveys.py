"""Surveys, who has answered, and the results with small counts suppressed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from communities.models import Community
from evaluation import disclosure
from evaluation.models import (
    Answer,
    Question,
    Response,
    Survey,
    SurveyRespondent,
)
from evaluation.selectors.common import mean
from measurement.models import Site

# --------------------------------------------------------------------------- surveys


def surveys(*, community: Community) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(community=community)
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("-created_at", "-id")
    )


def survey_get(*, community: Community, survey_id: int) -> Survey:
    found = Survey.objects.filter(community=community, pk=survey_id).first()
    if found is None:
        raise Http404
    return found


def question_get(*, survey: Survey, question_id: int) -> Question:
    found = Question.objects.filter(survey=survey, pk=question_id).first()
    if found is None:
        raise Http404
    return found


def has_responded(*, survey: Survey, user) -> bool:
    return SurveyRespondent.objects.filter(survey=survey, user=user).exists()


def answered_survey_ids(*, community: Community, user) -> set[int]:
    """The CoP's surveys this person has already answered."""
    return set(
        SurveyRespondent.objects.filter(survey__community=community, user=user).values_list(
            "survey_id", flat=True
        )
    )


def respondent_count(*, survey: Survey) -> int:
    return SurveyRespondent.objects.filter(survey=survey).count()


@dataclass
class QuestionResult:
    question: Question
    answered: str  # disclosed count
    suppressed: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    mean: float | None = None
    distribution: list[tuple[str, str]] = field(default_factory=list)
    not_relevant: str = ""
    texts: list[str] = field(default_factory=list)


@dataclass
class GroupResults:
    """Results for one group of responses (all respondents, or one site's)."""

    label: str
    responses: int
    shown_responses: str
    suppressed: bool
    questions: list[QuestionResult]


def _question_result(
    question: Question, answers: list[dict], group_hidden: bool, rule
) -> QuestionResult:
    answered = [a for a in answers if a["choices"] or a["number"] is not None or a["text"]]
    not_relevant = sum(1 for a in answers if a["not_relevant"])
    hidden = group_hidden or disclosure.is_small(len(answered), rule)
    result = QuestionResult(
        question=question,
        answered=disclosure.shown(len(answered), rule),
        suppressed=hidden,
    )
    if hidden:
        return result
    result.not_relevant = disclosure.shown(not_relevant, rule) if not_relevant else "0"
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        counts = dict.fromkeys(question.options, 0)
        for a in answered:
            for choice in a["choices"]:
                counts[choice] = counts.get(choice, 0) + 1
        _total, shown = disclosure.counts_adding_up(
            len(answered), counts, rule, additive=kind == Question.Kind.SINGLE
        )
        result.options = [(option, shown[option]) for option in counts]
    elif kind in (Question.Kind.SCALE, Question.Kind.AGREEMENT):
        numbers = [a["number"] for a in answered if a["number"] is not None]
        result.mean = round(mean(numbers), 2) if numbers else None
        counts = {
            str(v): numbers.count(v) for v in range(question.scale_min, question.scale_max + 1)
        }
        _total, shown = disclosure.counts_adding_up(len(numbers), counts, rule)
        result.distribution = [(value, shown[value]) for value in counts]
    else:
        # Alphabetical, never in the order given: order could hint at who wrote what.
        result.texts = sorted(a["text"] for a in answered if a["text"])
    return result


@dataclass
class SurveyResults:
    survey: Survey
    overall: GroupResults
    by_site: list[GroupResults]
    by_expected_result: list[tuple[str, list[QuestionResult]]]


def _site_counts(survey: Survey) -> dict[int | None, int]:
    return dict(
        Response.objects.filter(survey=survey)
        .order_by()
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )


def _site_names(site_ids: list[int]) -> dict[int, str]:
    if not site_ids:
        return {}
    return dict(Site.objects.filter(pk__in=site_ids).values_list("pk", "name"))


def survey_results(*, survey: Survey) -> SurveyResults:
    """Results overall and per site. A group with few responses shows only that it is
    small; counts inside a shown group follow the disclosure rule. A fixed number of
    queries (six) whatever the number of questions, answers or sites."""
    rule = disclosure.survey_rule(survey.organization)
    questions = list(Question.objects.filter(survey=survey).select_related("expected_result"))
    site_counts = _site_counts(survey)
    answers: dict = defaultdict(lambda: defaultdict(list))
    for row in Answer.objects.filter(response__survey=survey).values(
        "question_id", "choices", "number", "text", "not_relevant", "response__site_id"
    ):
        answers[row["question_id"]][row["response__site_id"]].append(row)
    total = sum(site_counts.values())
    hidden = disclosure.is_small(total, rule)
    overall = GroupResults(
        label=_("All respondents"),
        responses=total,
        shown_responses=disclosure.shown(total, rule),
        suppressed=hidden,
        questions=[
            _question_result(q, [a for rows in answers[q.pk].values() for a in rows], hidden, rule)
            for q in questions
        ],
    )
    site_ids = [s for s in site_counts if s is not None]
    names = _site_names(site_ids)
    by_site = []
    for site_id in sorted(site_ids, key=lambda s: names.get(s, "")):
        n = site_counts[site_id]
        small = disclosure.is_small(n, rule)
        by_site.append(
            GroupResults(
                label=names.get(site_id, "?"),
                responses=n,
                shown_responses=disclosure.shown(n, rule),
                suppressed=small,
                questions=[
                    _question_result(q, answers[q.pk][site_id], small, rule) for q in questions
                ],
            )
        )
    grouped: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in overall.questions:
        q = result.question
        if q.expected_result_id and q.expected_result is not None:
            label = _("Expected result: %(r)s") % {"r": q.expected_result.description}
            grouped[label].append(result)
        elif q.objective:
            grouped[_("Objective: %(o)s") % {"o": _objective_label(q.objective)}].append(result)
    return SurveyResults(
        survey=survey, overall=overall, by_site=by_site, by_expected_result=list(grouped.items())
    )


def _objective_label(key: str) -> str:
    from communities.models import Objective

    return str(dict(Objective.choices).get(key, key))
