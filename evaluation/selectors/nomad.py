"""NoMAD rounds: construct scores per group with small counts suppressed, and the change since
the previous round."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from evaluation import disclosure, nomad
from evaluation.models import (
    Answer,
    Question,
    Survey,
)
from evaluation.selectors.common import mean
from evaluation.selectors.surveys import _site_counts, _site_names

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


def _nomad_group(
    label: str, n: int, rows: list[Mapping[str, Any]], codes: dict[int, str], rule
) -> NomadGroup:
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
        scores = per_construct.get(construct.key, [])
        count = len(scores)
        hidden = small or disclosure.is_small(count, rule)
        constructs.append(
            ConstructScore(
                construct=construct,
                mean=None if hidden or not scores else round(mean(scores), 2),
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


def _nomad_rows(
    survey: Survey,
) -> tuple[dict[int, str], list[Mapping[str, Any]], dict[int | None, int]]:
    codes = dict(Question.objects.filter(survey=survey).values_list("pk", "code"))
    rows: list[Mapping[str, Any]] = list(
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
        p_rows_by_site: dict[int | None, list[Mapping[str, Any]]] = defaultdict(list)
        for row in p_rows:
            p_rows_by_site[row["response__site_id"]].append(row)
        prior_by_site = {
            site_id: _nomad_group("", n, p_rows_by_site[site_id], p_codes, rule)
            for site_id, n in p_counts.items()
            if site_id is not None
        }
    site_ids = [s for s in counts if s is not None]
    names = _site_names(site_ids)
    rows_by_site: dict[int | None, list[Mapping[str, Any]]] = defaultdict(list)
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
