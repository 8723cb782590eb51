"""Surveys and NoMAD rounds: drafting questions, opening, closing, and answers (anonymous answers
are never tied to a respondent in the audit trail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, ExpectedResult
from copcore.models import User
from copcore.services import audit_record
from evaluation import nomad
from evaluation.models import (
    Answer,
    NotRelevant,
    Question,
    Response,
    Survey,
    SurveyRespondent,
)
from evaluation.services.common import _writable
from measurement.models import Site

# --------------------------------------------------------------------------- surveys


@transaction.atomic
def survey_create(
    *,
    actor: User,
    community: Community,
    title: str,
    purpose: str,
    anonymous: bool = True,
    asks_site: bool = True,
    introduction: str = "",
    closes_on: dt.date | None = None,
) -> Survey:
    _writable(community)
    if purpose not in Survey.Purpose.values:
        raise ValidationError({"purpose": _("Choose a purpose.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the survey a title.")})
    survey = Survey.objects.create(
        organization=community.organization,
        community=community,
        title=title.strip(),
        purpose=purpose,
        anonymous=anonymous,
        asks_site=asks_site,
        introduction=introduction,
        closes_on=closes_on,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.survey_created",
        target=survey,
        data={"purpose": purpose, "anonymous": anonymous},
    )
    return survey


def _require_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Questions can only be changed while the survey is a draft."))


@transaction.atomic
def question_add(
    *,
    actor: User,
    survey: Survey,
    kind: str,
    text: str,
    options: list[str] | None = None,
    required: bool = False,
    help_text: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    scale_min_label: str = "",
    scale_max_label: str = "",
    allows_not_relevant: bool = False,
    objective: str = "",
    expected_result: ExpectedResult | None = None,
    code: str = "",
) -> Question:
    _writable(survey.community)
    _require_draft(survey)
    errors: dict[str, str] = {}
    options = [o.strip() for o in (options or []) if o.strip()]
    if kind not in Question.Kind.values:
        errors["kind"] = _("Choose a kind of question.")
    if not text.strip():
        errors["text"] = _("Write the question.")
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if len(options) < 2:
            errors["options"] = _("Give at least two options, one per line.")
        elif len(set(options)) != len(options):
            errors["options"] = _("Each option must be different.")
    else:
        options = []
    if kind == Question.Kind.AGREEMENT:
        scale_min, scale_max = 1, 5
    if kind == Question.Kind.SCALE and not (scale_min < scale_max and scale_max - scale_min <= 10):
        errors["scale_max"] = _("The scale needs a top above its bottom, at most 10 steps apart.")
    if objective and objective not in survey.community.objectives:
        errors["objective"] = _("Choose one of the community's objectives.")
    if expected_result is not None and expected_result.community_id != survey.community_id:
        errors["expected_result"] = _("Choose an expected result of this community.")
    if errors:
        raise ValidationError(errors)
    position = (
        survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    question = Question.objects.create(
        organization=survey.organization,
        survey=survey,
        position=position,
        kind=kind,
        text=text.strip(),
        help_text=help_text,
        required=required,
        options=options,
        scale_min=scale_min,
        scale_max=scale_max,
        scale_min_label=scale_min_label,
        scale_max_label=scale_max_label,
        allows_not_relevant=allows_not_relevant and kind == Question.Kind.AGREEMENT,
        objective=objective,
        expected_result=expected_result,
        code=code,
    )
    audit_record(
        organization=survey.organization,
        actor=actor,
        verb="evaluation.question_added",
        target=survey,
        data={"question": question.pk, "kind": kind},
    )
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    survey = question.survey
    _writable(survey.community)
    _require_draft(survey)
    audit_record(
        organization=survey.organization,
        actor=actor,
        verb="evaluation.question_deleted",
        target=survey,
        data={"question": question.pk},
    )
    question.delete()


@transaction.atomic
def survey_open(*, actor: User, survey: Survey) -> Survey:
    _writable(survey.community)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if survey.closing_date_passed:
        assert survey.closes_on is not None
        raise ValidationError(
            {
                "closes_on": _(
                    "The closing date (%(day)s) has passed, so nobody could answer. "
                    "Change the closing date to today or later, then open the survey."
                )
                % {"day": survey.closes_on.isoformat()}
            },
            code="closing_date_passed",
        )
    survey.status = Survey.Status.OPEN
    survey.opened_at = timezone.localdate()
    survey.save(update_fields=["status", "opened_at"])
    audit_record(
        organization=survey.organization,
        actor=actor,
        verb="evaluation.survey_opened",
        target=survey,
    )
    return survey


@transaction.atomic
def survey_dates_update(*, actor: User, survey: Survey, closes_on: dt.date | None) -> Survey:
    """Change a draft or open survey's closing date (empty: no closing date). A date in
    the past is refused: it would close the survey without anyone deciding to; closing
    now is what "Close the survey" is for."""
    _writable(survey.community)
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("A closed survey's dates cannot be changed."))
    if closes_on is not None and closes_on < timezone.localdate():
        raise ValidationError(
            {
                "closes_on": _(
                    "The closing date cannot be in the past. To stop answers now, close the survey."
                )
            }
        )
    previous = survey.closes_on
    survey.closes_on = closes_on
    survey.save(update_fields=["closes_on"])
    audit_record(
        organization=survey.organization,
        actor=actor,
        verb="evaluation.survey_dates_changed",
        target=survey,
        data={
            "closes_on": {
                "from": previous.isoformat() if previous else None,
                "to": closes_on.isoformat() if closes_on else None,
            }
        },
    )
    return survey


@transaction.atomic
def survey_close(*, actor: User, survey: Survey) -> Survey:
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.status = Survey.Status.CLOSED
    survey.closed_at = timezone.localdate()
    survey.save(update_fields=["status", "closed_at"])
    audit_record(
        organization=survey.organization,
        actor=actor,
        verb="evaluation.survey_closed",
        target=survey,
    )
    return survey


@transaction.atomic
def nomad_round_create(
    *, actor: User, community: Community, title: str = "", practice: str = ""
) -> Survey:
    """A NoMAD round: a survey with the three general and twenty construct items."""
    practice = practice.strip() or community.topic or community.name
    number = Survey.objects.filter(community=community, purpose=Survey.Purpose.NOMAD).count() + 1
    survey = survey_create(
        actor=actor,
        community=community,
        title=title.strip() or _("NoMAD round %(n)d") % {"n": number},
        purpose=Survey.Purpose.NOMAD,
        anonymous=True,
        asks_site=True,
        introduction=_(
            "These questions ask how %(practice)s is becoming part of everyday work. "
            "Answers are anonymous."
        )
        % {"practice": practice},
    )
    low, high, low_label, high_label = nomad.GENERAL_SCALE
    for item in nomad.GENERAL_ITEMS:
        question_add(
            actor=actor,
            survey=survey,
            kind=Question.Kind.SCALE,
            text=str(item.text).format(practice=practice),
            scale_min=low,
            scale_max=high,
            scale_min_label=str(low_label),
            scale_max_label=str(high_label),
            code=item.code,
        )
    for item in nomad.CONSTRUCT_ITEMS:
        text = str(item.text).format(practice=practice)
        question_add(
            actor=actor,
            survey=survey,
            kind=Question.Kind.AGREEMENT,
            text=text[0].upper() + text[1:],
            allows_not_relevant=True,
            code=item.code,
        )
    return survey


def _clean_answer(question: Question, raw: Any) -> dict[str, Any] | None:
    """Turn a raw answer into Answer fields, or None when it is empty. Raises a
    ValidationError message for an answer that does not fit the question."""
    if raw in (None, "", []):
        return None
    kind = question.kind
    if question.allows_not_relevant and raw in NotRelevant.values:
        return {"not_relevant": raw}
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        values = [raw] if isinstance(raw, str) else list(raw)
        if kind == Question.Kind.SINGLE and len(values) != 1:
            raise ValidationError(_("Choose one option."))
        if any(v not in question.options for v in values):
            raise ValidationError(_("Choose among the options given."))
        return {"choices": list(dict.fromkeys(values))}
    if kind in (Question.Kind.SCALE, Question.Kind.AGREEMENT):
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Give a whole number.")) from None
        if not question.scale_min <= number <= question.scale_max:
            raise ValidationError(
                _("Give a number from %(a)d to %(b)d.")
                % {"a": question.scale_min, "b": question.scale_max}
            )
        return {"number": number}
    text = str(raw).strip()
    if len(text) > 5000:
        raise ValidationError(_("Keep the answer under 5,000 characters."))
    return {"text": text} if text else None


def _blend_anonymous_rows(survey: Survey) -> None:
    """Rewrite every response and answer row of the survey in this transaction.

    PostgreSQL stamps each row version with the id of the transaction that wrote it
    (the ``xmin`` system column), and the new ``SurveyRespondent`` row is written in
    this same transaction. Rewriting all the survey's anonymous rows gives them all
    the same stamp, so the stamp cannot single out the new response: it matches every
    response or none."""
    Response.objects.filter(survey=survey).update(site=F("site"))
    Answer.objects.filter(response__survey=survey).update(number=F("number"))


@transaction.atomic
def survey_respond(
    *, actor: User, survey: Survey, answers: dict[int, Any], site: Site | None = None
) -> None:
    """Record one person's answers. Who answered goes to ``SurveyRespondent`` (date
    only); the answers go to a ``Response`` with a random id, no time and, for an
    anonymous survey, no person. Nothing is returned, so no caller can pair them."""
    _writable(survey.community)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("This survey is not open for answers."))
    if survey.closes_on is not None and timezone.localdate() > survey.closes_on:
        raise ValidationError(
            _("This survey closed on %(day)s.") % {"day": survey.closes_on.isoformat()}
        )
    if site is not None and site.organization_id != survey.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    questions = list(survey.questions.all())
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[Question, dict[str, Any]]] = []
    for question in questions:
        try:
            fields = _clean_answer(question, answers.get(question.pk))
        except ValidationError as error:
            errors[f"q{question.pk}"] = error.messages
            continue
        if fields is None:
            if question.required:
                errors[f"q{question.pk}"] = [_("This question needs an answer.")]
            continue
        cleaned.append((question, fields))
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        errors["answers"] = [_("Some answers are for questions not in this survey.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            SurveyRespondent.objects.create(
                organization=survey.organization, survey=survey, user=actor
            )
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey.")) from None
    response = Response.objects.create(
        organization=survey.organization,
        survey=survey,
        site=site if survey.asks_site else None,
        respondent=None if survey.anonymous else actor,
    )
    Answer.objects.bulk_create(
        [
            Answer(organization=survey.organization, response=response, question=q, **fields)
            for q, fields in cleaned
        ]
    )
    if survey.anonymous:
        _blend_anonymous_rows(survey)
    audit_record(
        organization=survey.organization,
        actor=actor,
        verb="evaluation.survey_answered",
        target=survey,
        data={} if survey.anonymous else {"response": str(response.pk)},
    )
