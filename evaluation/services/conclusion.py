"""The conclusion: expected-result reviews, the conclusion record, the results record package and
the communications drafted from it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, ExpectedResult
from copcore.dispatch import enqueue_on_commit
from copcore.models import User
from copcore.services import audit_record
from evaluation.models import (
    CommunicationOutput,
    Conclusion,
    ExpectedResultReview,
    ResultsRecord,
    ResultStatus,
)
from evaluation.services.common import _writable

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
    enqueue_on_commit("evaluation.tasks.build_results_record", record.pk)
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
