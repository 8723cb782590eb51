"""The sepsis CoP's evaluation: a CFIR round at the sites whose barriers are addressed
by ERIC strategies, tried as PDSA tests and watched on measures; an open periodic
survey for members to answer."""

from __future__ import annotations

from communities.models import Community
from copcore.demo.clock import days_ago, days_ahead
from copcore.demo.people import CONVENER, EQUITY_ADVISOR, NURSE, PHARMACIST, STEWARD, Cast
from evaluation import services as evaluation
from evaluation.models import CfirConstruct, CfirRound, EricStrategy, Question, Survey
from knowledge.models import TestOfChange
from measurement.models import Measure

# site, construct, rating, evidence
RATINGS = [
    ("NGH", "III.E", 2, "Two serious incidents last year; staff want change."),
    ("NGH", "III.J", -1, "No protected time for training on nights."),
    ("SBH", "III.J", -2, "No out-of-hours microbiology advice; grab bags unfunded."),
    ("SBH", "III.K", -1, "Guidance scattered across three intranet pages."),
    ("HSC", "I.F", -1, "The Sepsis Six feels long for a clinic team."),
    ("HSC", "III.D.2", 2, "A strong patient-first culture."),
    ("RCMHT", "III.F", -2, "Community teams rarely take observations."),
    ("EAOS", "II.D", 1, "Good links with the acute hospital's outreach team."),
]
# (site, construct) of the barrier, ERIC number, tests by title, measure codes, rationale
STRATEGIES = [
    ("SBH", "III.J", 14, ["Antibiotic grab bag, cycle 3 (SBH)"], ["bundle"],
     "Try grab bags at SBH before asking for funding."),
    ("SBH", "III.J", 5, [], ["bundle", "mortality"], "Monthly feedback to ward managers."),
    ("NGH", "III.J", 35, ["Sepsis simulation training before PGD"], ["bundle"],
     "Night champions trained first."),
    ("HSC", "I.F", 58, ["Antibiotic grab bag, cycle 1", "Antibiotic grab bag, cycle 2"],
     ["bundle"], "A prompt card shortens the bundle to what a clinic can do."),
    ("RCMHT", "III.F", 15, ["Nurse-initiated antibiotics"], ["cdiff"],
     "Teaching sessions on observations for community teams."),
]  # fmt: skip


def cfir(cast: Cast, community: Community) -> None:
    if CfirRound.objects.filter(community=community).exists():
        return
    cfir_round = evaluation.cfir_round_create(
        actor=cast[EQUITY_ADVISOR], community=community, title="Baseline CFIR assessment",
        held_on=days_ago(320), notes="Interviews with ward managers and a site walk-round.",
    )  # fmt: skip
    constructs = {c.code: c for c in CfirConstruct.objects.all()}
    by_site: dict[str, list] = {}
    for site, code, rating, evidence in RATINGS:
        by_site.setdefault(site, []).append((constructs[code], rating, evidence))
    for site, entries in by_site.items():
        evaluation.cfir_ratings_save(
            actor=cast[EQUITY_ADVISOR], cfir_round=cfir_round, site=cast.sites[site],
            entries=entries,
        )  # fmt: skip
    ratings = {(r.site.code, r.construct.code): r for r in cfir_round.ratings.select_related(
        "site", "construct")}  # fmt: skip
    strategies = {s.number: s for s in EricStrategy.objects.all()}
    tests = {t.title: t for t in TestOfChange.objects.filter(community=community)}
    measures = {m.code: m for m in Measure.objects.filter(community=community)}
    for site, code, number, test_titles, measure_codes, rationale in STRATEGIES:
        choice = evaluation.strategy_choose(
            actor=cast[CONVENER], barrier=ratings[(site, code)], strategy=strategies[number],
            rationale=rationale,
        )  # fmt: skip
        evaluation.strategy_link(
            actor=cast[CONVENER], choice=choice,
            tests=[tests[t] for t in test_titles if t in tests],
            measures=[measures[m] for m in measure_codes],
        )  # fmt: skip


def periodic_survey(cast: Cast, community: Community) -> None:
    """The six-monthly check on value, open until next week; some have answered."""
    title = "How is the CoP working for you?"
    if Survey.objects.filter(community=community, title=title).exists():
        return
    survey = evaluation.survey_create(
        actor=cast[CONVENER], community=community, title=title,
        purpose=Survey.Purpose.PERIODIC, closes_on=days_ahead(9),
        introduction="Five minutes, anonymous. It shapes the next six months.",
    )  # fmt: skip
    value = evaluation.question_add(
        actor=cast[CONVENER], survey=survey, kind=Question.Kind.SCALE, required=True,
        text="How useful has the CoP been to your work?", scale_min=1, scale_max=5,
        scale_min_label="Not useful", scale_max_label="Very useful",
    )  # fmt: skip
    idea = evaluation.question_add(
        actor=cast[CONVENER], survey=survey, kind=Question.Kind.TEXT,
        text="What should we change?",
    )  # fmt: skip
    evaluation.survey_open(actor=cast[CONVENER], survey=survey)
    for persona, score, text in ((NURSE, 4, "More night-shift cases."), (STEWARD, 5, ""),
                                 (PHARMACIST, 3, "Shorter clinics.")):  # fmt: skip
        evaluation.survey_respond(
            actor=cast[persona], survey=survey, answers={value.pk: score, idea.pk: text},
            site=cast.sites["NGH"],
        )  # fmt: skip
