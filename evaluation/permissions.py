"""Permissions of the evaluation app, granted per community through roles."""

from enum import StrEnum


class EvaluationPermission(StrEnum):
    ASSESS = "evaluation.assess"
    MANAGE_SURVEYS = "evaluation.manage_surveys"
    RESPOND = "evaluation.respond"
    CONCLUDE = "evaluation.conclude"
