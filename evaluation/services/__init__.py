"""Every write of the evaluation app. Keyword-only, atomic, audited.

Anonymous survey answers are the one place where the audit trail deliberately stays
silent about content: the event says that someone answered, never which response rows
are theirs."""

from evaluation.services.cfir import (
    cfir_ratings_save,
    cfir_round_create,
    strategy_choose,
    strategy_link,
    strategy_remove,
)
from evaluation.services.conclusion import (
    communication_update,
    communications_draft,
    conclusion_save,
    expected_result_review_save,
    results_record_build,
    results_record_request,
)
from evaluation.services.progress import current_month, progress_rate, site_team_lead_set
from evaluation.services.surveys import (
    nomad_round_create,
    question_add,
    question_delete,
    survey_close,
    survey_create,
    survey_dates_update,
    survey_open,
    survey_respond,
)

__all__ = [
    "cfir_ratings_save",
    "cfir_round_create",
    "communication_update",
    "communications_draft",
    "conclusion_save",
    "current_month",
    "progress_rate",
    "site_team_lead_set",
    "expected_result_review_save",
    "nomad_round_create",
    "question_add",
    "question_delete",
    "results_record_build",
    "results_record_request",
    "strategy_choose",
    "strategy_link",
    "strategy_remove",
    "survey_close",
    "survey_create",
    "survey_dates_update",
    "survey_open",
    "survey_respond",
]
