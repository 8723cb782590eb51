"""Reads of the evaluation app: the CFIR heat map, the follow-through chain with each
measure's current signal, survey and NoMAD results with small counts suppressed, and
what still blocks archiving a CoP. Each page's data comes in a fixed number of queries
whatever the number of sites, constructs, barriers or answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Community, ExpectedResult
from evaluation import disclosure, measures, nomad
from evaluation.models import (
    Answer,
    CfirConstruct,
    CfirDomain,
    CfirRating,
    CfirRound,
    CommunicationOutput,
    Conclusion,
    EricCluster,
    ExpectedResultReview,
    Question,
    Response,
    ResultsRecord,
    StrategyChoice,
    Survey,
    SurveyRespondent,
)
from measurement.models import Measure, Site


def mean(values) -> float:
    """Arithmetic mean (``statistics.mean`` is exact but far slower on many numbers)."""
    values = list(values)
    return sum(values) / len(values)


# --------------------------------------------------------------------------- reference


def cfir_domains() -> list[CfirDomain]:
    """The five domains with their constructs in order (two queries)."""
    return list(CfirDomain.objects.prefetch_related("constructs__parent").order_by("number"))


def cfir_constructs() -> list[CfirConstruct]:
    return list(CfirConstruct.objects.select_related("domain", "parent").order_by("position"))


def eric_clusters() -> list[EricCluster]:
    """The nine clusters with their strategies (two queries)."""
    return list(EricCluster.objects.prefetch_related("strategies").order_by("number"))


# --------------------------------------------------------------------------- CFIR rounds


def cfir_rounds(*, community: Community) -> QuerySet[CfirRound]:
    return (
        CfirRound.objects.filter(community=community)
        .annotate(
            rated=Count("ratings", filter=Q(ratings__rating__isnull=False)),
            barriers=Count("ratings", filter=Q(ratings__rating__lt=0)),
        )
        .order_by("-held_on", "-id")
    )


def cfir_round_get(*, community: Community, round_id: int) -> CfirRound:
    found = CfirRound.objects.filter(community=community, pk=round_id).first()
    if found is None:
        raise Http404
    return found


def previous_round(*, cfir_round: CfirRound) -> CfirRound | None:
    """The round held just before this one in the same CoP."""
    return (
        CfirRound.objects.filter(community_id=cfir_round.community_id)
        .filter(
            Q(held_on__lt=cfir_round.held_on) | Q(held_on=cfir_round.held_on, id__lt=cfir_round.pk)
        )
        .order_by("-held_on", "-id")
        .first()
    )


def community_sites(*, community: Community, extra_ids: set[int] | None = None) -> list[Site]:
    """Sites enrolled in the CoP, plus any others already rated (one query)."""
    condition = Q(enrolments__community=community)
    if extra_ids:
        condition |= Q(pk__in=extra_ids)
    return list(
        Site.objects.filter(organization=community.organization)
        .filter(condition)
        .distinct()
        .order_by("name")
    )


def site_for_community(*, community: Community, site_id: int) -> Site:
    """A site of the CoP's organization, or Http404 (another organization's site)."""
    site = Site.objects.filter(organization=community.organization, pk=site_id).first()
    if site is None:
        raise Http404
    return site


@dataclass
class HeatCell:
    rating: int | None
    evidence: str = ""
    rating_id: int | None = None
    previous: int | None = None
    had_previous: bool = False

    @property
    def label(self) -> str:
        """The rating as text with its sign, so it never depends on colour."""
        if self.rating is None:
            return "–"
        return f"+{self.rating}" if self.rating > 0 else str(self.rating).replace("-", "−")

    @property
    def css(self) -> str:
        if self.rating is None:
            return "cfir-missing"
        return {-2: "cfir-m2", -1: "cfir-m1", 0: "cfir-0", 1: "cfir-p1", 2: "cfir-p2"}[self.rating]

    @property
    def is_barrier(self) -> bool:
        return self.rating is not None and self.rating < 0

    @property
    def change(self) -> int | None:
        if self.rating is None or self.previous is None:
            return None
        return self.rating - self.previous

    @property
    def change_label(self) -> str:
        change = self.change
        if change is None or change == 0:
            return ""
        return f"▲ +{change}" if change > 0 else f"▼ −{-change}"


@dataclass
class HeatRow:
    construct: CfirConstruct
    cells: list[HeatCell]


@dataclass
class HeatMap:
    cfir_round: CfirRound
    previous: CfirRound | None
    sites: list[Site]
    domains: list[tuple[CfirDomain, list[HeatRow]]]

    @property
    def rated_count(self) -> int:
        return sum(
            1 for _d, rows in self.domains for r in rows for c in r.cells if c.rating is not None
        )


def heat_map(*, cfir_round: CfirRound) -> HeatMap:
    """Sites by constructs for one round, with the change since the previous round.
    Five queries whatever the size: constructs, ratings, sites, previous round and its
    ratings."""
    constructs = cfir_constructs()
    ratings = list(
        CfirRating.objects.filter(round=cfir_round).values_list(
            "site_id", "construct_id", "rating", "evidence", "id"
        )
    )
    by_key = {(s, c): (r, e, pk) for s, c, r, e, pk in ratings}
    sites = community_sites(community=cfir_round.community, extra_ids={r[0] for r in ratings})
    before = previous_round(cfir_round=cfir_round)
    previous: dict[tuple[int, int], int | None] = {}
    if before is not None:
        previous = {
            (s, c): r
            for s, c, r in CfirRating.objects.filter(round=before).values_list(
                "site_id", "construct_id", "rating"
            )
        }
    grouped: dict[int, list[HeatRow]] = defaultdict(list)
    domains: dict[int, CfirDomain] = {}
    for construct in constructs:
        domains[construct.domain_id] = construct.domain
        cells = []
        for site in sites:
            rating, evidence, rating_id = by_key.get((site.pk, construct.pk), (None, "", None))
            key = (site.pk, construct.pk)
            cells.append(
                HeatCell(
                    rating=rating,
                    evidence=evidence,
                    rating_id=rating_id,
                    previous=previous.get(key),
                    had_previous=key in previous,
                )
            )
        grouped[construct.domain_id].append(HeatRow(construct=construct, cells=cells))
    return HeatMap(
        cfir_round=cfir_round,
        previous=before,
        sites=sites,
        domains=[
            (domains[d], grouped[d]) for d in sorted(domains, key=lambda d: domains[d].number)
        ],
    )


def site_ratings(*, cfir_round: CfirRound, site: Site) -> dict[int, CfirRating]:
    """One site's ratings in a round, by construct id (for the rating form)."""
    return {r.construct_id: r for r in CfirRating.objects.filter(round=cfir_round, site=site)}


def barrier_get(*, community: Community, barrier_id: int) -> CfirRating:
    """A negative rating of the CoP, or Http404."""
    found = (
        CfirRating.objects.filter(round__community=community, pk=barrier_id, rating__lt=0)
        .select_related("construct__domain", "site", "round")
        .first()
    )
    if found is None:
        raise Http404
    return found


def strategy_choice_get(*, community: Community, choice_id: int) -> StrategyChoice:
    found = (
        StrategyChoice.objects.filter(community=community, pk=choice_id)
        .select_related("strategy", "barrier")
        .first()
    )
    if found is None:
        raise Http404
    return found


def barrier_strategies(*, barrier: CfirRating) -> QuerySet[StrategyChoice]:
    """The strategies chosen for one barrier with their cluster, tests and measures."""
    return barrier.strategies.select_related("strategy__cluster").prefetch_related(
        "tests", "measures"
    )


# --------------------------------------------------------------------------- follow-through


@dataclass
class StrategyLine:
    choice: StrategyChoice
    tests: list
    measures: list[tuple[Measure, measures.Signal]]


@dataclass
class FollowThroughRow:
    barrier: CfirRating
    strategies: list[StrategyLine] = field(default_factory=list)

    @property
    def has_strategy(self) -> bool:
        return bool(self.strategies)

    @property
    def has_test(self) -> bool:
        return any(s.tests for s in self.strategies)

    @property
    def has_measure(self) -> bool:
        return any(s.measures for s in self.strategies)

    @property
    def complete(self) -> bool:
        return self.has_strategy and self.has_test and self.has_measure


def follow_through(
    *, community: Community, audience, cfir_round: CfirRound | None = None
) -> list[FollowThroughRow]:
    """Every barrier of the round (default: the latest) with its strategies, their PDSA
    tests and measures (chosen directly or through the tests) and each measure's
    current signal as ``audience`` (a ``dashboards.selectors.Audience``) may see it.
    A fixed number of queries."""
    if cfir_round is None:
        cfir_round = (
            CfirRound.objects.filter(community=community).order_by("-held_on", "-id").first()
        )
        if cfir_round is None:
            return []
    barriers = list(
        CfirRating.objects.filter(round=cfir_round, rating__lt=0)
        .select_related("construct__domain", "site")
        .prefetch_related(
            "strategies__strategy__cluster",
            "strategies__tests__measures",
            "strategies__measures",
        )
        .order_by("rating", "construct__position", "site__name")
    )
    measure_ids = {
        m.pk
        for b in barriers
        for c in b.strategies.all()
        for m in list(c.measures.all()) + [m for t in c.tests.all() for m in t.measures.all()]
    }
    signals = measures.signals(community=community, audience=audience, measure_ids=measure_ids)
    rows = []
    for barrier in barriers:
        row = FollowThroughRow(barrier=barrier)
        for choice in barrier.strategies.all():
            tests = list(choice.tests.all())
            watched: dict[int, Measure] = {m.pk: m for m in choice.measures.all()}
            for test in tests:
                for measure in test.measures.all():
                    watched.setdefault(measure.pk, measure)
            row.strategies.append(
                StrategyLine(
                    choice=choice,
                    tests=tests,
                    measures=[(m, signals[m.pk]) for m in watched.values()],
                )
            )
        rows.append(row)
    return rows


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
        if q.expected_result_id:
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


# --------------------------------------------------------------------------- NoMAD


@dataclass
class ConstructScore:
    construct: nomad.NptConstruct
    mean: float | None
    respondents: str
    change: float | None = None


@dataclass
class NomadGroup:
    label: str
    responses: int
    shown_responses: str
    suppressed: bool
    general: list[tuple[nomad.Item, float | None]]
    constructs: list[ConstructScore]


@dataclass
class NomadResults:
    survey: Survey
    previous: Survey | None
    overall: NomadGroup
    by_site: list[NomadGroup]


def _nomad_group(label: str, n: int, rows: list[dict], codes: dict[int, str], rule) -> NomadGroup:
    small = disclosure.is_small(n, rule)
    # Each person's construct score is the mean of their answered items of it; the
    # group's score is the mean of those, so every respondent weighs the same.
    per_person: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    general_values: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        code = codes.get(row["question_id"], "")
        item = nomad.ITEM_BY_CODE.get(code)
        if item is None or row["number"] is None:
            continue
        if item.construct:
            per_person[item.construct][row["response_id"]].append(row["number"])
        else:
            general_values[code].append(row["number"])
    per_construct = {
        key: [mean(values) for values in people.values()] for key, people in per_person.items()
    }
    general = []
    for item in nomad.GENERAL_ITEMS:
        values = general_values.get(item.code, [])
        hidden = small or disclosure.is_small(len(values), rule)
        general.append((item, None if hidden or not values else round(mean(values), 2)))
    constructs = []
    for construct in nomad.CONSTRUCTS:
        values = per_construct.get(construct.key, [])
        count = len(values)
        hidden = small or disclosure.is_small(count, rule)
        constructs.append(
            ConstructScore(
                construct=construct,
                mean=None if hidden or not values else round(mean(values), 2),
                respondents=disclosure.shown(count, rule),
            )
        )
    return NomadGroup(
        label=label,
        responses=n,
        shown_responses=disclosure.shown(n, rule),
        suppressed=small,
        general=general,
        constructs=constructs,
    )


def _nomad_rows(survey: Survey) -> tuple[dict[int, str], list[dict], dict[int | None, int]]:
    codes = dict(Question.objects.filter(survey=survey).values_list("pk", "code"))
    rows = list(
        Answer.objects.filter(response__survey=survey).values(
            "question_id", "number", "response_id", "response__site_id"
        )
    )
    return codes, rows, _site_counts(survey)


def previous_nomad(*, survey: Survey) -> Survey | None:
    return (
        Survey.objects.filter(
            community_id=survey.community_id,
            purpose=Survey.Purpose.NOMAD,
            created_at__lt=survey.created_at,
        )
        .exclude(status=Survey.Status.DRAFT)
        .order_by("-created_at")
        .first()
    )


def _set_change(now: NomadGroup, then: NomadGroup) -> None:
    """Change of each construct's score since the previous round (both must be shown)."""
    for current, earlier in zip(now.constructs, then.constructs, strict=True):
        if current.mean is not None and earlier.mean is not None:
            current.change = round(current.mean - earlier.mean, 2)


def nomad_results(*, survey: Survey) -> NomadResults:
    """Scores per NPT construct (mean agreement 1-5, 'not relevant' left out) and the
    general items (0-10), overall and per site, with the change since the previous
    round. A fixed number of queries whatever the number of answers or sites."""
    rule = disclosure.survey_rule(survey.organization)
    codes, rows, counts = _nomad_rows(survey)
    overall = _nomad_group(_("All respondents"), sum(counts.values()), rows, codes, rule)
    before = previous_nomad(survey=survey)
    prior_by_site: dict[int, NomadGroup] = {}
    if before is not None:
        p_codes, p_rows, p_counts = _nomad_rows(before)
        _set_change(overall, _nomad_group("", sum(p_counts.values()), p_rows, p_codes, rule))
        p_rows_by_site: dict[int | None, list[dict]] = defaultdict(list)
        for row in p_rows:
            p_rows_by_site[row["response__site_id"]].append(row)
        prior_by_site = {
            site_id: _nomad_group("", n, p_rows_by_site[site_id], p_codes, rule)
            for site_id, n in p_counts.items()
            if site_id is not None
        }
    site_ids = [s for s in counts if s is not None]
    names = _site_names(site_ids)
    rows_by_site: dict[int | None, list[dict]] = defaultdict(list)
    for row in rows:
        rows_by_site[row["response__site_id"]].append(row)
    by_site = []
    for site_id in sorted(site_ids, key=lambda s: names.get(s, "")):
        group = _nomad_group(
            names.get(site_id, "?"), counts[site_id], rows_by_site[site_id], codes, rule
        )
        if site_id in prior_by_site:
            _set_change(group, prior_by_site[site_id])
        by_site.append(group)
    return NomadResults(survey=survey, previous=before, overall=overall, by_site=by_site)


# --------------------------------------------------------------------------- conclusion


def expected_results_with_reviews(*, community: Community) -> list[ExpectedResult]:
    """The CoP's expected results, each with ``review`` (or None) attached; two queries."""
    results = list(ExpectedResult.objects.filter(community=community).order_by("position", "id"))
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
