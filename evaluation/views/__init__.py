"""Evaluation pages (mounted at /o/<org_slug>/): CFIR rounds and the heat map, barriers
and strategies, the follow-through view, surveys (builder, answering, results, NoMAD),
and the conclusion phase (statuses, review, results record, communications)."""

from evaluation.views.cfir import (
    barrier,
    cfir_rate,
    cfir_round,
    cfir_rounds,
    follow_through,
    strategy,
    strategy_remove,
)
from evaluation.views.conclusion import (
    communication_edit,
    communications,
    conclusion,
    record_download,
    record_request,
)
from evaluation.views.new import cfir_round_new, survey_new
from evaluation.views.overview import (
    home,
    reference,
)
from evaluation.views.progress import (
    progress,
    progress_rate,
    progress_site,
    progress_team_leads,
)
from evaluation.views.surveys import (
    nomad_round_create,
    question_delete,
    survey,
    survey_dates,
    survey_export,
    survey_open,
    survey_respond,
    survey_results,
    survey_status,
    surveys,
)

__all__ = [
    "barrier",
    "cfir_rate",
    "cfir_round",
    "cfir_round_new",
    "cfir_rounds",
    "communication_edit",
    "communications",
    "conclusion",
    "follow_through",
    "home",
    "nomad_round_create",
    "progress",
    "progress_rate",
    "progress_site",
    "progress_team_leads",
    "question_delete",
    "record_download",
    "record_request",
    "reference",
    "strategy",
    "strategy_remove",
    "survey",
    "survey_dates",
    "survey_open",
    "survey_export",
    "survey_respond",
    "survey_results",
    "survey_new",
    "survey_status",
    "surveys",
]
