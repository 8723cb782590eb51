"""The concluded CoP: physical health checks for people with severe mental illness. It
ran for eighteen months, met most of its results, answered its final satisfaction
survey and a NoMAD round, recorded its conclusions and results, drafted its
communications and was archived (read-only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from communities import services as communities
from communities.models import Community, Phase, PhaseTransition
from copcore.demo.clock import backdate, days_ago, moment
from copcore.demo.people import (
    CONVENER,
    EXPERT,
    FACILITATOR,
    MEMBER,
    MODERATOR,
    NURSE,
    PHARMACIST,
    SPONSOR,
    STEWARD,
    Cast,
    community,
    term,
)
from copcore.permissions import CommunityRole
from evaluation import nomad
from evaluation import services as evaluation
from evaluation.models import Question, ResultStatus, Survey

NAME = "CoP to raise annual physical health checks for people with severe mental illness"
SLUG = "physical-health"
RESPONDENTS = [MODERATOR, FACILITATOR, MEMBER, NURSE, PHARMACIST, EXPERT]
RESULTS = [
    ("75% of people on the SMI register receive all six checks each year",
     "Quarterly audit of the SMI register at each team"),
    ("A shared recall letter and template used by every team",
     "Adoption of the published template"),
]  # fmt: skip


def concluded_community(cast: Cast) -> Community:
    started = days_ago(700)
    cop, _created = community(cast, NAME, SLUG, since=started)
    if cop.phase == Phase.ARCHIVED:
        return cop
    convener = cast.convener
    for persona, role in (
        (CONVENER, CommunityRole.CONVENER), (MODERATOR, CommunityRole.MODERATOR),
        (FACILITATOR, CommunityRole.FACILITATOR), (MEMBER, CommunityRole.MEMBER),
        (NURSE, CommunityRole.MEMBER), (PHARMACIST, CommunityRole.MEMBER),
        (EXPERT, CommunityRole.EXPERT_BY_EXPERIENCE), (SPONSOR, CommunityRole.SPONSOR),
        (STEWARD, CommunityRole.DATA_STEWARD),
    ):  # fmt: skip
        term(cast, cop, persona, role, started)
    if cop.phase == Phase.DESIGN:
        steps: dict[str, dict[str, Any]] = {
            "domain": {"topic": "Physical health of people with severe mental illness"},
            "problem": {"problem": "Only 38% of people on the SMI register had all six "
                        "annual checks; they die 15 to 20 years earlier than others."},
            "objectives": {"objectives": ["best_practices", "lessons_learned"]},
            "audiences": {"target_audiences": "Community mental-health teams and GPs."},
            "call": {"call_type": "public"},
            "dates": {"starts_on": started, "planned_end_on": started + dt.timedelta(days=540)},
            "rhythm": {"rhythm": ["monthly_all_hands"]},
        }  # fmt: skip
        for step, values in steps.items():
            communities.community_design_save(
                actor=convener, community=cop, step=step, values=values
            )
        communities.expected_results_set(actor=convener, community=cop, results=RESULTS)
        communities.charter_draft_update(
            actor=convener, community=cop,
            sections={"purpose": "Every person with SMI gets all six checks every year.",
                      "norms": "Share what failed; no identifiable details."},
        )  # fmt: skip
        communities.charter_publish(actor=convener, community=cop, change_note="Launch charter.")
        communities.community_phase_change(
            actor=convener, community=cop, to_phase=Phase.IMPLEMENTATION
        )
        cop.refresh_from_db()
    if cop.phase == Phase.IMPLEMENTATION:
        from copcore.demo.knowledge import searchable_basics

        searchable_basics(cast, cop, "annual physical health checks", "a text reminder")
        communities.community_phase_change(
            actor=convener, community=cop, to_phase=Phase.CONCLUSION,
            reason=PhaseTransition.Reason.WORK_DONE,
            note="Five of six teams met the 75% target for two quarters running.",
        )  # fmt: skip
        cop.refresh_from_db()
    _final_assessment(cast, cop)
    record = _results(cast, cop)
    evaluation.communications_draft(actor=convener, community=cop, record=record)
    communities.community_phase_change(
        actor=convener, community=cop, to_phase=Phase.ARCHIVED,
        note="The results record and the final communications are out.",
    )  # fmt: skip
    cop.refresh_from_db()
    transitions = list(PhaseTransition.objects.filter(community=cop).order_by("pk"))
    for transition, ago in zip(transitions, (680, 150, 20), strict=False):
        backdate(PhaseTransition.objects.filter(pk=transition.pk), created_at=moment(days_ago(ago)))
    backdate(Community.objects.filter(pk=cop.pk), created_at=moment(started))
    return cop


def _final_assessment(cast: Cast, cop: Community) -> None:
    convener = cast.convener
    if not Survey.objects.filter(community=cop, purpose=Survey.Purpose.FINAL).exists():
        survey = evaluation.survey_create(
            actor=convener, community=cop, title="Final satisfaction survey",
            purpose=Survey.Purpose.FINAL,
            introduction="How well did the CoP meet its objectives and expected results?",
        )  # fmt: skip
        results = list(cop.expected_results.all())
        questions = [
            evaluation.question_add(
                actor=convener,
                survey=survey,
                kind=Question.Kind.AGREEMENT,
                required=True,
                text=f"The CoP achieved: {result.description}",
                expected_result=result,
            )  # fmt: skip
            for result in results
        ]
        overall = evaluation.question_add(
            actor=convener, survey=survey, kind=Question.Kind.SCALE,
            text="Overall, how satisfied are you with the CoP?", scale_min=1, scale_max=5,
            objective="best_practices",
        )  # fmt: skip
        lesson = evaluation.question_add(
            actor=convener, survey=survey, kind=Question.Kind.TEXT,
            text="What is the one lesson other networks should take from us?",
        )  # fmt: skip
        evaluation.survey_open(actor=convener, survey=survey)
        texts = [
            "Recall letters work only with a named person.", "", "Involve GPs early.",
            "Book checks with the depot clinic.", "", "Ask people what gets in the way.",
        ]  # fmt: skip
        for index, persona in enumerate(RESPONDENTS):
            answers: dict[int, int | str] = {
                q.pk: 4 + (index + n) % 2 for n, q in enumerate(questions)
            }
            answers[overall.pk] = 3 + index % 3
            answers[lesson.pk] = texts[index]
            evaluation.survey_respond(
                actor=cast[persona], survey=survey, answers=answers,
                site=cast.sites[["RCMHT", "EAOS", "HSC"][index % 3]],
            )  # fmt: skip
        evaluation.survey_close(actor=convener, survey=survey)
    if not Survey.objects.filter(community=cop, purpose=Survey.Purpose.NOMAD).exists():
        survey = evaluation.nomad_round_create(
            actor=convener, community=cop, practice="annual physical health checks"
        )
        evaluation.survey_open(actor=convener, survey=survey)
        questions = list(survey.questions.all())
        low, high = nomad.GENERAL_SCALE[0], nomad.GENERAL_SCALE[1]
        for index, persona in enumerate(RESPONDENTS):
            answers = {}
            for n, question in enumerate(questions):
                if question.kind == Question.Kind.SCALE:
                    answers[question.pk] = min(high, max(low, 6 + (index + n) % 4))
                else:
                    answers[question.pk] = 2 + (index * 3 + n) % 4
            evaluation.survey_respond(actor=cast[persona], survey=survey, answers=answers)
        evaluation.survey_close(actor=convener, survey=survey)
    statuses = [
        (ResultStatus.ACHIEVED, "Five of six teams above 75% for two quarters."),
        (ResultStatus.PARTLY, "Template used by four teams; two kept their own."),
    ]
    for result, (status, evidence) in zip(cop.expected_results.all(), statuses, strict=False):
        evaluation.expected_result_review_save(
            actor=convener, expected_result=result, status=status, evidence=evidence
        )
    evaluation.conclusion_save(
        actor=convener, community=cop,
        lessons_learned="A named person for each recall; GPs involved from the start; "
        "checks booked alongside depot clinics.",
        post_action_review="What we planned: six checks for everyone. What happened: "
        "blood tests lagged. Why: no phlebotomy in community teams. Next: shared clinics.",
        recommendations="Fund phlebotomy in community teams; adopt the shared template.",
    )  # fmt: skip


def _results(cast: Cast, cop: Community):
    from evaluation.models import ResultsRecord

    record = ResultsRecord.objects.filter(
        community=cop, status=ResultsRecord.Status.READY
    ).first() or evaluation.results_record_request(actor=cast.convener, community=cop)
    return evaluation.results_record_build(record=record)
