"""Every write of the evaluation app. Keyword-only, atomic, audited.

Anonymous survey answers are the one place where the audit trail deliberately stays
silent about content: the event says that someone answered, never which response rows
are theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, ExpectedResult
from copcore.models import User
from copcore.services import audit_record
from evaluation import nomad
from evaluation.models import (
    Answer,
    CfirConstruct,
    CfirRating,
    CfirRound,
    CommunicationOutput,
    Conclusion,
    EricStrategy,
    ExpectedResultReview,
    NotRelevant,
    Question,
    Response,
    ResultsRecord,
    ResultStatus,
    StrategyChoice,
    Survey,
    SurveyRespondent,
)
from knowledge.models import TestOfChange
from measurement.models import Measure, Site


def _writable(community: Community) -> None:
    if community.is_archived:
        raise ValidationError(_("This community is archived and can no longer be changed."))


# --------------------------------------------------------------------------- CFIR


@transaction.atomic
def cfir_round_create(
    *, actor: User, community: Community, title: str, held_on: dt.date, notes: str = ""
) -> CfirRound:
    _writable(community)
    if not title.strip():
        raise ValidationError({"title": _("Give the round a title.")})
    cfir_round = CfirRound.objects.create(
        organization=community.organization,
        community=community,
        title=title.strip(),
        held_on=held_on,
        notes=notes,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.cfir_round_created",
        target=cfir_round,
        data={"community": community.slug, "held_on": held_on.isoformat()},
    )
    return cfir_round


@transaction.atomic
def cfir_ratings_save(
    *,
    actor: User,
    cfir_round: CfirRound,
    site: Site,
    entries: list[tuple[CfirConstruct, int | None, str]],
) -> int:
    """Save one site's ratings in a round (construct, rating or None, evidence). A
    construct left without rating and evidence is removed; returns how many are kept."""
    community = cfir_round.community
    _writable(community)
    if site.organization_id != community.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    errors = {}
    for construct, rating, _evidence in entries:
        if rating is not None and not -2 <= rating <= 2:
            errors[construct.code] = _("A rating is a whole number from -2 to +2.")
    if errors:
        raise ValidationError(errors)
    existing = {
        r.construct_id: r
        for r in CfirRating.objects.filter(round=cfir_round, site=site).annotate(
            has_strategies=Exists(StrategyChoice.objects.filter(barrier=OuterRef("pk")))
        )
    }
    now = timezone.now()
    kept = 0
    changed = 0
    for construct, rating, evidence in entries:
        evidence = evidence.strip()
        current = existing.get(construct.pk)
        if rating is None and not evidence:
            if current is not None and not current.has_strategies:
                current.delete()
                changed += 1
            elif current is not None:
                kept += 1
            continue
        kept += 1
        if current is None:
            CfirRating.objects.create(
                organization=community.organization,
                round=cfir_round,
                site=site,
                construct=construct,
                rating=rating,
                evidence=evidence,
                rated_by=actor,
                updated_at=now,
            )
            changed += 1
        elif current.rating != rating or current.evidence != evidence:
            if current.has_strategies and (rating is None or rating >= 0):
                raise ValidationError(
                    {
                        construct.code: _(
                            "%(c)s has strategies chosen for it as a barrier; remove them "
                            "before rating it as neutral or a facilitator."
                        )
                        % {"c": construct.name}
                    }
                )
            current.rating = rating
            current.evidence = evidence
            current.rated_by = actor
            current.updated_at = now
            current.save(update_fields=["rating", "evidence", "rated_by", "updated_at"])
            changed += 1
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.cfir_ratings_saved",
        target=cfir_round,
        data={"site": site.pk, "changed": changed},
    )
    return kept


@transaction.atomic
def strategy_choose(
    *, actor: User, barrier: CfirRating, strategy: EricStrategy, rationale: str = ""
) -> StrategyChoice:
    """Address a barrier (a negative rating) with an ERIC strategy."""
    community = barrier.round.community
    _writable(community)
    if not barrier.is_barrier:
        raise ValidationError(_("Only a negative rating (a barrier) can be given strategies."))
    if StrategyChoice.objects.filter(barrier=barrier, strategy=strategy).exists():
        raise ValidationError({"strategy": _("This strategy is already chosen for the barrier.")})
    choice = StrategyChoice.objects.create(
        organization=community.organization,
        community=community,
        barrier=barrier,
        strategy=strategy,
        rationale=rationale,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.strategy_chosen",
        target=choice,
        data={"barrier": barrier.pk, "strategy": strategy.number},
    )
    return choice


@transaction.atomic
def strategy_link(
    *,
    actor: User,
    choice: StrategyChoice,
    tests: list[TestOfChange],
    measures: list[Measure],
    rationale: str | None = None,
) -> StrategyChoice:
    """Set the PDSA tests that try the strategy and the measures that watch it; both
    must belong to the same CoP."""
    community = choice.community
    _writable(community)
    errors = {}
    if any(t.community_id != community.pk for t in tests):
        errors["tests"] = _("Choose tests of change of this community.")
    if any(m.community_id != community.pk for m in measures):
        errors["measures"] = _("Choose measures of this community.")
    if errors:
        raise ValidationError(errors)
    choice.tests.set(tests)
    choice.measures.set(measures)
    if rationale is not None:
        choice.rationale = rationale
        choice.save(update_fields=["rationale"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.strategy_linked",
        target=choice,
        data={"tests": [t.pk for t in tests], "measures": [m.pk for m in measures]},
    )
    return choice


@transaction.atomic
def strategy_remove(*, actor: User, choice: StrategyChoice) -> None:
    community = choice.community
    _writable(community)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.strategy_removed",
        target=choice,
        data={"strategy": choice.strategy.number, "barrier": choice.barrier_id},
    )
    choice.delete()


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


# --------------------------------------------------------------------------- conclusion


@transaction.atomic
def expected_result_review_save(
    *, actor: User, expected_result: ExpectedResult, status: str, evidence: str
) -> ExpectedResultReview:
    community = expected_result.community
    _writable(community)
    errors = {}
    if status not in ResultStatus.values:
        errors["status"] = _("Choose achieved, partly achieved or not achieved.")
    if not evidence.strip():
        errors["evidence"] = _("Say what shows it (the evidence).")
    if errors:
        raise ValidationError(errors)
    review, _created = ExpectedResultReview.objects.update_or_create(
        expected_result=expected_result,
        defaults={
            "organization": community.organization,
            "community": community,
            "status": status,
            "evidence": evidence.strip(),
            "reviewed_by": actor,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.expected_result_reviewed",
        target=review,
        data={"expected_result": expected_result.pk, "status": status},
    )
    return review


@transaction.atomic
def conclusion_save(
    *,
    actor: User,
    community: Community,
    lessons_learned: str,
    post_action_review: str,
    recommendations: str,
) -> Conclusion:
    _writable(community)
    conclusion, _created = Conclusion.objects.update_or_create(
        community=community,
        defaults={
            "organization": community.organization,
            "lessons_learned": lessons_learned,
            "post_action_review": post_action_review,
            "recommendations": recommendations,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.conclusion_saved",
        target=conclusion,
    )
    return conclusion


@transaction.atomic
def results_record_request(*, actor: User, community: Community) -> ResultsRecord:
    """Queue a build of the results record; the ZIP is made by a Celery task after
    commit, so the request returns at once."""
    from evaluation.tasks import build_results_record

    _writable(community)
    if ResultsRecord.objects.filter(
        community=community, status=ResultsRecord.Status.PENDING
    ).exists():
        raise ValidationError(_("A results record is already being built."))
    record = ResultsRecord.objects.create(
        organization=community.organization, community=community, requested_by=actor
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.results_record_requested",
        target=record,
    )
    transaction.on_commit(lambda: build_results_record.delay(record.pk))
    return record


def results_record_build(*, record: ResultsRecord) -> ResultsRecord:
    """Build the ZIP and store it. Idempotent: a record already ready is left alone.
    The file is written outside the database transaction; the row is then updated in
    one short transaction."""
    from django.core.files.base import ContentFile

    from evaluation.record import build_package

    if record.status == ResultsRecord.Status.READY:
        return record
    try:
        package = build_package(record=record)
    except Exception as error:  # noqa: BLE001 - recorded on the row, then re-raised
        with transaction.atomic():
            ResultsRecord.objects.filter(pk=record.pk).update(
                status=ResultsRecord.Status.FAILED, error=str(error)[:2000]
            )
        raise
    name = f"results-record-{record.community.slug}-{record.pk}.zip"
    with transaction.atomic():
        locked = ResultsRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status == ResultsRecord.Status.READY:
            return locked
        locked.file.save(name, ContentFile(package.data), save=False)
        locked.size = len(package.data)
        locked.sha256 = package.sha256
        locked.manifest = package.manifest
        locked.status = ResultsRecord.Status.READY
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.save()
        audit_record(
            organization=locked.organization,
            actor=None,
            verb="evaluation.results_record_built",
            target=locked,
            data={"sha256": package.sha256, "files": len(package.manifest["files"])},
        )
    return locked


@transaction.atomic
def communications_draft(
    *, actor: User, community: Community, record: ResultsRecord, overwrite: bool = False
) -> list[CommunicationOutput]:
    """Draft the four communication outputs from a results record. Outputs the convener
    has edited are kept unless ``overwrite`` is asked for."""
    from evaluation.communications import drafts

    _writable(community)
    if record.status != ResultsRecord.Status.READY or record.community_id != community.pk:
        raise ValidationError(_("Produce the results record first."))
    existing = {o.kind: o for o in CommunicationOutput.objects.filter(community=community)}
    saved = []
    for kind, (title, body) in drafts(community=community).items():
        output = existing.get(kind)
        if output is not None and output.edited and not overwrite:
            saved.append(output)
            continue
        output, _created = CommunicationOutput.objects.update_or_create(
            community=community,
            kind=kind,
            defaults={
                "organization": community.organization,
                "title": title,
                "body": body,
                "record": record,
                "edited": False,
                "updated_by": actor,
                "updated_at": timezone.now(),
            },
        )
        saved.append(output)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.communications_drafted",
        target=record,
        data={"overwrite": overwrite},
    )
    return saved


@transaction.atomic
def communication_update(
    *, actor: User, output: CommunicationOutput, title: str, body: str
) -> CommunicationOutput:
    _writable(output.community)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give it a title.")
    if not body.strip():
        errors["body"] = _("Write the text.")
    if output.kind == CommunicationOutput.Kind.SOCIAL:
        long_lines = [line for line in body.splitlines() if len(line) > 280]
        if long_lines:
            errors["body"] = _("Keep each social-media message (one per line) to 280 characters.")
    if errors:
        raise ValidationError(errors)
    output.title = title.strip()
    output.body = body
    output.edited = True
    output.updated_by = actor
    output.updated_at = timezone.now()
    output.save()
    audit_record(
        organization=output.organization,
        actor=actor,
        verb="evaluation.communication_edited",
        target=output,
        data={"kind": output.kind},
    )
    return output
