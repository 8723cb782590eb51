"""Every write of the measurement app: reference data, measures, data entry, imports
and approval. Keyword-only, typed, atomic and audited.

Bulk imports are audited per ``ImportBatch`` (checksum, who, when, counts), not per
row. The dry run writes its progress outside the final transaction so the status
page can show it; everything it concludes is saved atomically at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import Organization, OrganizationMembership, User
from copcore.services import audit_record
from measurement import access, bulk, import_reading, readers
from measurement.models import (
    CommunityDataPolicy,
    ImportBatch,
    Measure,
    Observation,
    PhaseBreak,
    Site,
    SiteEnrolment,
    Stratifier,
    StratifierCategory,
)
from measurement.periods import align
from measurement.validation import COLUMNS, Report, RowChecker, ValidationContext

PROGRESS_EVERY = 25_000
API_MAX_ROWS = 10_000


def _inline_limit() -> int:
    """Files up to this size are checked and imported inside the request."""
    return getattr(settings, "MEASUREMENT_INLINE_IMPORT_BYTES", 256 * 1024)


# Sites, stratifiers, enrolments, policy --------------------------------------------


def _check_parent(site: Site, parent: Site | None) -> None:
    if parent is None:
        return
    if parent.organization_id != site.organization_id:
        raise ValidationError({"parent": _("Choose a site of this organization.")})
    seen = set()
    node: Site | None = parent
    while node is not None:
        if node.pk == site.pk and site.pk is not None:
            raise ValidationError({"parent": _("A site cannot be inside itself.")})
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def site_save(
    *, actor: User, organization: Organization, site: Site | None = None, **fields: Any
) -> Site:
    """Create (``site`` None) or update a site of the organization."""
    creating = site is None
    site = site or Site(organization=organization)
    for name, value in fields.items():
        setattr(site, name, value)
    _check_parent(site, fields.get("parent"))
    if (
        Site.objects.filter(organization=organization, code__iexact=site.code)
        .exclude(pk=site.pk)
        .exists()
    ):
        raise ValidationError({"code": _("Another site already uses this code.")})
    site.full_clean(exclude=["organization", "parent"])
    site.save()
    audit_record(
        organization=organization,
        actor=actor,
        verb="measurement.site_created" if creating else "measurement.site_updated",
        target=site,
        data={"code": site.code},
    )
    return site


@transaction.atomic
def stratifier_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name: str,
    description: str = "",
    categories: list[tuple[str, str]],
) -> Stratifier:
    """A stratifier with its categories in the given order."""
    if Stratifier.objects.filter(organization=organization, code=code).exists():
        raise ValidationError({"code": _("Another stratifier already uses this code.")})
    codes = [c for c, _label in categories]
    if not categories:
        raise ValidationError({"categories": _("Give at least one category.")})
    if len(set(codes)) != len(codes):
        raise ValidationError({"categories": _("Each category needs its own code.")})
    stratifier = Stratifier.objects.create(
        organization=organization, code=code, name=name, description=description
    )
    StratifierCategory.objects.bulk_create(
        StratifierCategory(
            organization=organization,
            stratifier=stratifier,
            code=category_code,
            label=label,
            position=position,
        )
        for position, (category_code, label) in enumerate(categories)
    )
    audit_record(
        organization=organization,
        actor=actor,
        verb="measurement.stratifier_created",
        target=stratifier,
        data={"code": code, "categories": codes},
    )
    return stratifier


@transaction.atomic
def enrolment_save(
    *,
    actor: User,
    community: Community,
    site: Site,
    wave: int,
    enrolled_on: dt.date,
    ends_on: dt.date | None = None,
    mentor_site: Site | None = None,
) -> SiteEnrolment:
    """Enrol a site in a CoP (or change its wave, dates or mentor)."""
    if site.organization_id != community.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    if ends_on is not None and ends_on < enrolled_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    if mentor_site is not None:
        if mentor_site.pk == site.pk:
            raise ValidationError({"mentor_site": _("A site cannot mentor itself.")})
        mentor = SiteEnrolment.objects.filter(community=community, site=mentor_site).first()
        if mentor is None or mentor.wave >= wave:
            raise ValidationError(
                {"mentor_site": _("The mentor must be a site of an earlier wave of this CoP.")}
            )
    enrolment, created = SiteEnrolment.objects.update_or_create(
        community=community,
        site=site,
        defaults={
            "organization": community.organization,
            "wave": wave,
            "enrolled_on": enrolled_on,
            "ends_on": ends_on,
            "mentor_site": mentor_site,
        },
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.site_enrolled" if created else "measurement.enrolment_updated",
        target=enrolment,
        data={
            "site": site.code,
            "wave": wave,
            "enrolled_on": enrolled_on.isoformat(),
            "mentor_site": mentor_site.code if mentor_site else None,
        },
    )
    return enrolment


@transaction.atomic
def data_policy_update(
    *, actor: User, community: Community, requires_approval: bool, data_lead: User | None
) -> CommunityDataPolicy:
    if (
        data_lead is not None
        and not OrganizationMembership.objects.filter(
            organization=community.organization, user=data_lead
        ).exists()
    ):
        raise ValidationError({"data_lead": _("The data lead must be a member.")})
    policy, _created = CommunityDataPolicy.objects.update_or_create(
        community=community,
        defaults={
            "organization": community.organization,
            "requires_approval": requires_approval,
            "data_lead": data_lead,
        },
    )
    community.__dict__.pop("_measurement_policy", None)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.data_policy_updated",
        target=community,
        data={
            "requires_approval": requires_approval,
            "data_lead": data_lead.email if data_lead else None,
        },
    )
    return policy


# Measures ------------------------------------------------------------------------


MEASURE_FIELDS = (
    "code", "name", "kind", "reaim_dimension", "numerator_definition",
    "denominator_definition", "inclusions", "exclusions", "data_source", "value_type",
    "rate_multiplier", "rate_unit", "frequency", "direction", "goal", "chart_type",
    "baseline_periods", "is_active",
)  # fmt: skip


@transaction.atomic
def measure_save(
    *,
    actor: User,
    community: Community,
    measure: Measure | None = None,
    stratifiers: Iterable[Stratifier] = (),
    **fields: Any,
) -> Measure:
    """Create (``measure`` None) or update a measure and its operational definition."""
    creating = measure is None
    measure = measure or Measure(organization=community.organization, community=community)
    if (
        not creating
        and fields.get("frequency", measure.frequency) != measure.frequency
        and Observation.objects.filter(measure=measure).exists()
    ):
        raise ValidationError(
            {"frequency": _("The frequency cannot change once data has been entered.")}
        )
    for name, value in fields.items():
        if name not in MEASURE_FIELDS:
            raise ValueError(name)
        setattr(measure, name, value)
    if measure.value_type == Measure.ValueType.RATE and not measure.rate_multiplier:
        raise ValidationError({"rate_multiplier": _("A rate needs a multiplier (e.g. 1000).")})
    if measure.value_type != Measure.ValueType.RATE:
        measure.rate_multiplier = None
    if (
        Measure.objects.filter(community=community, code=measure.code)
        .exclude(pk=measure.pk)
        .exists()
    ):
        raise ValidationError({"code": _("Another measure of this CoP uses this code.")})
    stratifier_list = list(stratifiers)
    if any(s.organization_id != community.organization_id for s in stratifier_list):
        raise ValidationError({"stratifiers": _("Choose stratifiers of this organization.")})
    measure.full_clean(exclude=["organization", "community", "stratifiers"])
    measure._history_user = actor  # read by simple-history outside a request
    measure.save()
    measure.stratifiers.set(stratifier_list)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.measure_created" if creating else "measurement.measure_updated",
        target=measure,
        data={"code": measure.code, "community": community.slug},
    )
    return measure


@transaction.atomic
def phase_break_add(
    *, actor: User, measure: Measure, starts_on: dt.date, reason: str
) -> PhaseBreak:
    """Start a new phase of the measure's chart at a period, with the change that caused it."""
    aligned = align(measure.frequency, starts_on)
    if aligned != starts_on:
        raise ValidationError(
            {
                "starts_on": _("Choose the first day of a period: %(date)s.")
                % {"date": aligned.isoformat()}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say what changed.")})
    if PhaseBreak.objects.filter(measure=measure, starts_on=starts_on).exists():
        raise ValidationError({"starts_on": _("A phase already starts with this period.")})
    phase_break = PhaseBreak.objects.create(
        organization=measure.organization,
        measure=measure,
        starts_on=starts_on,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_record(
        organization=measure.organization,
        actor=actor,
        verb="measurement.phase_break_added",
        target=measure,
        data={"starts_on": starts_on.isoformat(), "reason": phase_break.reason},
    )
    return phase_break


# Data-entry grid --------------------------------------------------------------------


@dataclass
class GridEntry:
    """One line of the grid as typed: a measure and (optional) category at the site."""

    measure: Measure
    category: StratifierCategory | None
    numerator: str = ""
    denominator: str = ""
    value: str = ""
    comment: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.numerator or self.denominator or self.value or self.comment).strip()

    def cells(self, site: Site, period: dt.date) -> tuple[str, ...]:
        return (
            self.measure.code,
            site.code,
            period.isoformat(),
            self.category.stratifier.code if self.category else "",
            self.category.code if self.category else "",
            self.numerator,
            self.denominator,
            self.value,
            self.comment,
        )


def _decimal(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.0001"))


@transaction.atomic
def observations_save_grid(
    *,
    actor: User,
    community: Community,
    site: Site,
    period: dt.date,
    entries: list[GridEntry],
    submit: bool,
) -> tuple[int, dict[int, list[dict]]]:
    """Save what a steward typed for one site and period, with the import's row checks.

    Blank lines are left alone (partial work is fine), and so are lines shown unchanged
    (an approved value stays approved). New or changed lines are kept as drafts, or
    submitted when ``submit`` (which also submits unchanged drafts and returned lines);
    a changed approved value goes back through review. Returns (rows saved, errors by entry index):
    when any line has an error nothing is saved, so the page shows the errors with
    what was typed.
    """
    access.require(access.can_submit(actor, community))
    if not SiteEnrolment.objects.filter(community=community, site=site).exists():
        raise PermissionDenied
    context = ValidationContext(community=community, load_existing=False)
    errors: dict[int, list[dict]] = {}
    valid: list[tuple[GridEntry, str]] = []
    for index, entry in enumerate(entries):
        if entry.is_blank:
            continue
        report = Report()
        staged = RowChecker(context, report).check(index + 1, entry.cells(site, period))
        if staged is None:
            errors[index] = report.errors
        else:
            valid.append((entry, staged))
    if errors:
        return 0, errors
    now = timezone.now()
    existing = {
        (o.measure_id, o.category_id): o
        for o in Observation.objects.filter(
            measure__in={entry.measure.pk for entry, _staged in valid}, site=site, period=period
        )
    }
    saved = 0
    for entry, staged in valid:
        fields = staged.rstrip("\n").split("\t")
        numbers = [None if f == "\\N" else _decimal(f) for f in fields[5:8]]
        comment = entry.comment.strip()
        observation = existing.get(
            (entry.measure.pk, entry.category.pk if entry.category else None)
        )
        if observation is None:
            observation = Observation(
                organization=community.organization,
                measure=entry.measure,
                site=site,
                period=period,
                category=entry.category,
            )
        else:
            unchanged = [
                observation.numerator,
                observation.denominator,
                observation.value,
            ] == numbers and observation.comment == comment
            resubmit = submit and observation.status in (
                Observation.Status.DRAFT,
                Observation.Status.RETURNED,
            )
            if unchanged and not resubmit:
                continue  # a line shown as it was saved: leave its status alone
        observation.numerator, observation.denominator, observation.value = numbers
        observation.comment = comment
        observation.status = Observation.Status.SUBMITTED if submit else Observation.Status.DRAFT
        observation.entered_by = actor
        observation.submitted_at = now if submit else None
        observation.review_comment = "" if submit else observation.review_comment
        observation.reviewed_by = None
        observation.reviewed_at = None
        observation.batch = None
        observation.save()
        saved += 1
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.data_submitted" if submit else "measurement.data_drafted",
        target=site,
        data={"community": community.slug, "period": period.isoformat(), "rows": saved},
    )
    return saved, {}


# Approval ---------------------------------------------------------------------------


def _review(
    *,
    actor: User,
    community: Community,
    observation_ids: Iterable[int] = (),
    batch: ImportBatch | None = None,
    approve: bool,
    comment: str = "",
) -> int:
    access.require(access.can_approve(actor, community))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what needs correcting.")})
    rows = Observation.objects.filter(
        measure__community=community, status=Observation.Status.SUBMITTED
    )
    if batch is not None:
        rows = rows.filter(batch=batch)
    else:
        ids = [int(i) for i in observation_ids]
        if not ids:
            raise ValidationError(_("Choose at least one row."))
        rows = rows.filter(pk__in=ids)
    changed = rows.update(
        status=Observation.Status.APPROVED if approve else Observation.Status.RETURNED,
        review_comment="" if approve else comment.strip(),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.data_approved" if approve else "measurement.data_returned",
        target=batch if batch is not None else community,
        data={
            "rows": changed,
            "batch": batch.pk if batch is not None else None,
            "observations": None if batch is not None else sorted(ids)[:1000],
            "comment": comment.strip(),
        },
    )
    return changed


@transaction.atomic
def observations_approve(
    *,
    actor: User,
    community: Community,
    observation_ids: Iterable[int] = (),
    batch: ImportBatch | None = None,
) -> int:
    """Approve submitted rows (chosen ones, or all of a batch). Audited as one decision."""
    return _review(
        actor=actor, community=community, observation_ids=observation_ids, batch=batch,
        approve=True,
    )  # fmt: skip


@transaction.atomic
def observations_return(
    *,
    actor: User,
    community: Community,
    comment: str,
    observation_ids: Iterable[int] = (),
    batch: ImportBatch | None = None,
) -> int:
    """Send submitted rows back to the stewards with a comment saying what to fix."""
    return _review(
        actor=actor, community=community, observation_ids=observation_ids, batch=batch,
        approve=False, comment=comment,
    )  # fmt: skip


# Imports ----------------------------------------------------------------------------


def _committed_twin(batch: ImportBatch) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(
            community=batch.community,
            checksum=batch.checksum,
            status=ImportBatch.Status.COMMITTED,
        )
        .exclude(pk=batch.pk)
        .first()
    )


@transaction.atomic
def import_batch_create(*, actor: User, community: Community, upload: UploadedFile) -> ImportBatch:
    """Store an uploaded file (under a random name) and recognise a re-upload.

    The checksum is SHA-256 of the bytes; a file already imported into this CoP is
    marked ``duplicate`` and can never be committed a second time.
    """
    access.require(access.can_submit(actor, community))
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    upload.seek(0)
    try:
        print_ = readers.fingerprint(upload, name)
    except readers.FileProblem as problem:
        raise ValidationError({"file": _("This is not a CSV or XLSX file.")}) from problem
    if print_.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    batch = ImportBatch(
        organization=community.organization,
        community=community,
        uploaded_by=actor,
        source=ImportBatch.Source.XLSX if print_.kind == "xlsx" else ImportBatch.Source.CSV,
        original_name=name,
        size_bytes=print_.size,
        checksum=print_.checksum,
        encoding=print_.encoding if print_.kind == "csv" else "",
    )
    batch.file.save(name or "upload.csv", upload, save=False)
    twin = _committed_twin(batch)
    if twin is not None:
        batch.status = ImportBatch.Status.DUPLICATE
        batch.report = {"duplicate_of": twin.pk}
    batch.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.import_uploaded",
        target=batch,
        data={
            "file": name,
            "checksum": batch.checksum,
            "bytes": batch.size_bytes,
            "duplicate_of": twin.pk if twin else None,
        },
    )
    return batch


def import_should_run_inline(batch: ImportBatch) -> bool:
    return batch.size_bytes <= _inline_limit()


def import_batch_start(*, batch: ImportBatch) -> None:
    """Run the dry run now (small files) or in the background (large ones)."""
    if batch.status != ImportBatch.Status.UPLOADED:
        return
    if import_should_run_inline(batch):
        import_batch_validate(batch_id=batch.pk)
        return
    from measurement.tasks import validate_import

    transaction.on_commit(lambda: validate_import.delay(batch.pk))


def _set_progress(batch_id: int, done: int, total: int | None = None, **extra: Any) -> None:
    """Progress is written outside the batch's final transaction so pages can read it."""
    fields: dict[str, Any] = {"progress_done": done, **extra}
    if total is not None:
        fields["progress_total"] = total
    ImportBatch.objects.filter(pk=batch_id).update(**fields)


def _validate_rows(
    rows: Iterator[tuple[int, tuple[str, ...]]],
    checker: RowChecker,
    sink,
    progress=None,
) -> None:
    check, write = checker.check, sink.write
    for count, (line, cells) in enumerate(rows, start=1):
        staged = check(line, cells)
        if staged is not None:
            write(staged)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress()


def import_batch_validate(*, batch_id: int) -> ImportBatch:
    """The dry run: read the file once, check every row, count what exists, and keep the
    valid rows as COPY text (in storage) ready for the commit. Idempotent: a batch
    already checked is returned unchanged."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(of=("self",))
            .select_related("community")
            .get(pk=batch_id)
        )
        if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING):
            return batch
        batch.status = ImportBatch.Status.VALIDATING
        batch.progress_total = batch.size_bytes
        batch.progress_done = 0
        batch.save(update_fields=["status", "progress_total", "progress_done"])
    report = Report()
    context = ValidationContext(community=batch.community)
    reading = import_reading.reading_for(batch)
    report.date_reading = reading.as_json()
    staged_name = ""
    delimiter = ""
    file_problem: readers.FileProblem | None = None
    with batch.file.open("rb") as stream, tempfile.TemporaryFile(mode="w+b") as spool:
        try:
            source = readers.open_rows(stream, batch.source, batch.encoding or readers.UTF8)
        except readers.FileProblem as problem:
            file_problem = problem
        else:
            delimiter = source.delimiter
            if batch.source == ImportBatch.Source.XLSX:
                _set_progress(batch_id, 0, source.total)
                batch.progress_total = source.total
            sink = _TextSink(spool)
            progress_of = source.progress
            _validate_rows(
                source.rows,
                RowChecker(context, report, date_order=reading.order),
                sink,
                progress=lambda: _set_progress(batch_id, progress_of()),
            )
            sink.flush()
            for column in source.unused_columns:
                report.warning(
                    1,
                    column,
                    "unused_column",
                    _("Column “%(column)s” is not part of the layout and was ignored.")
                    % {"column": column},
                )
            if report.error_count == 0 and report.valid_rows:
                spool.seek(0)
                staged_name = default_storage.save(
                    f"measurement/staging/{batch.organization_id}/{uuid.uuid4().hex}.tsv",
                    File(spool),
                )
    if file_problem is not None:
        _file_error(report, file_problem)
    if report.total_rows == 0 and report.error_count == 0:
        report.error(2, "", "empty_file", _("The file has no data rows."))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        batch.status = (
            ImportBatch.Status.INVALID if report.error_count else ImportBatch.Status.VALIDATED
        )
        batch.delimiter = delimiter
        batch.staged_file = staged_name
        _copy_counts(batch, report)
        batch.progress_done = batch.progress_total
        batch.validated_at = timezone.now()
        batch.save()
        audit_record(
            organization=batch.organization,
            actor=batch.uploaded_by,
            verb="measurement.import_checked",
            target=batch,
            data={
                "rows": report.total_rows,
                "errors": report.error_count,
                "warnings": report.warning_count,
                "existing": report.existing_count,
            },
        )
    return batch


class _TextSink:
    """Buffers COPY text lines and writes them to a binary file in large blocks."""

    def __init__(self, target, block: int = 4096) -> None:
        self.target = target
        self.block = block
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= self.block:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.target.write("".join(self.lines).encode("utf-8"))
            self.lines.clear()


def _file_error(report: Report, problem: readers.FileProblem) -> None:
    if problem.code == "missing_column":
        report.error(
            1,
            problem.column,
            "missing_column",
            _("Required column(s) missing from the header: %(columns)s. Expected: %(layout)s.")
            % {"columns": problem.message, "layout": ", ".join(COLUMNS)},
        )
    elif problem.code == "empty_file":
        report.error(1, "", "empty_file", _("The file has no header line."))
    else:
        report.error(1, "", "unreadable_file", _("The file cannot be read as CSV or XLSX."))


def _copy_counts(batch: ImportBatch, report: Report) -> None:
    batch.total_rows = report.total_rows
    batch.valid_rows = report.valid_rows
    batch.error_count = report.error_count
    batch.warning_count = report.warning_count
    batch.existing_count = report.existing_count
    batch.report = {**(batch.report or {}), **report.as_json()}


def import_batch_request_commit(
    *, actor: User, batch: ImportBatch, on_existing: str
) -> ImportBatch:
    """The steward's go-ahead after the preview: skip or overwrite existing rows.

    Small batches are imported at once; large ones are queued for the worker.
    """
    access.require(access.can_submit(actor, batch.community))
    if on_existing not in ImportBatch.OnExisting.values:
        raise ValidationError({"on_existing": _("Choose skip or overwrite.")})
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        if batch.status in (ImportBatch.Status.COMMITTED, ImportBatch.Status.QUEUED):
            return batch
        if batch.status != ImportBatch.Status.VALIDATED or batch.error_count:
            raise ValidationError(_("Only a checked file without errors can be imported."))
        twin = _committed_twin(batch)
        if twin is not None:
            batch.status = ImportBatch.Status.DUPLICATE
            batch.report = {**batch.report, "duplicate_of": twin.pk}
            batch.save(update_fields=["status", "report"])
            return batch
        batch.on_existing = on_existing
        batch.status = ImportBatch.Status.QUEUED
        batch.committed_by = actor
        batch.progress_done = 0
        batch.progress_total = batch.valid_rows
        batch.save(
            update_fields=[
                "on_existing",
                "status",
                "committed_by",
                "progress_done",
                "progress_total",
            ]
        )
        audit_record(
            organization=batch.organization,
            actor=actor,
            verb="measurement.import_requested",
            target=batch,
            data={"on_existing": on_existing},
        )
        if not import_should_run_inline(batch):
            from measurement.tasks import commit_import

            batch_id = batch.pk
            transaction.on_commit(lambda: commit_import.delay(batch_id))
            return batch
    return import_batch_commit(batch_id=batch.pk)


def import_batch_commit(*, batch_id: int) -> ImportBatch:
    """Load the checked rows with COPY and upsert them in one transaction: all or none.

    Idempotent: a committed batch is left as it is, and the unique index on committed
    checksums stops a second batch of the same file from landing.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.COMMITTING):
            return batch
        batch.status = ImportBatch.Status.COMMITTING
        batch.save(update_fields=["status"])
    try:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("organization", "committed_by")
                .get(pk=batch_id)
            )
            if batch.status != ImportBatch.Status.COMMITTING:
                return batch
            with default_storage.open(batch.staged_file, "rb") as staged:
                staged_rows = bulk.load_staging(staged)
            _set_progress(batch_id, staged_rows // 2)
            inserted, updated = bulk.upsert_from_staging(
                organization_id=batch.organization_id,
                batch_id=batch.pk,
                actor_id=batch.committed_by_id,
                status=Observation.Status.SUBMITTED,
                overwrite=batch.on_existing == ImportBatch.OnExisting.OVERWRITE,
                now=timezone.now(),
            )
            batch.inserted_count = inserted
            batch.updated_count = updated
            batch.skipped_count = staged_rows - inserted - updated
            batch.status = ImportBatch.Status.COMMITTED
            batch.committed_at = timezone.now()
            batch.progress_done = batch.progress_total = staged_rows
            batch.save()
            audit_record(
                organization=batch.organization,
                actor=batch.committed_by,
                verb="measurement.import_committed",
                target=batch,
                data={
                    "checksum": batch.checksum,
                    "rows": staged_rows,
                    "inserted": inserted,
                    "updated": updated,
                    "skipped": batch.skipped_count,
                    "on_existing": batch.on_existing,
                },
            )
    except IntegrityError as error:
        twin = _committed_twin(ImportBatch.objects.get(pk=batch_id))
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.DUPLICATE if twin else ImportBatch.Status.FAILED,
            failure="" if twin else str(error)[:2000],
        )
        return ImportBatch.objects.get(pk=batch_id)
    transaction.on_commit(lambda: _discard_staged(batch.staged_file))
    return batch


def _discard_staged(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def import_batch_fail(*, batch_id: int, message: str) -> None:
    """Record that the worker gave up on a batch (after its retries)."""
    ImportBatch.objects.filter(pk=batch_id).exclude(status=ImportBatch.Status.COMMITTED).update(
        status=ImportBatch.Status.FAILED, failure=message[:2000]
    )


# API rows ---------------------------------------------------------------------------


def _api_cells(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple("" if row.get(column) is None else str(row[column]) for column in COLUMNS)


@dataclass
class ApiImportResult:
    batch: ImportBatch | None
    report: Report
    inserted: int = 0
    updated: int = 0
    skipped: int = 0


@transaction.atomic
def observations_import_rows(
    *,
    actor: User,
    community: Community,
    rows: list[dict[str, Any]],
    on_existing: str = ImportBatch.OnExisting.SKIP,
    dry_run: bool = False,
) -> ApiImportResult:
    """The API's bulk write: the file import's checks and its COPY path, in one call.

    Lines in the report are 1-based positions in ``rows``. With any error nothing is
    written (the caller raises); ``dry_run`` checks without writing.
    """
    access.require(access.can_submit(actor, community))
    if len(rows) > API_MAX_ROWS:
        raise ValidationError(
            {"rows": _("At most %(n)s rows per call.") % {"n": f"{API_MAX_ROWS:,}"}}
        )
    if on_existing not in ImportBatch.OnExisting.values:
        raise ValidationError({"on_existing": _("Choose skip or overwrite.")})
    report = Report()
    checker = RowChecker(ValidationContext(community=community), report)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as spool:
        sink = _TextSink(spool)
        _validate_rows(
            ((index, _api_cells(row)) for index, row in enumerate(rows, start=1)), checker, sink
        )
        sink.flush()
        if report.error_count or dry_run or not report.valid_rows:
            return ApiImportResult(batch=None, report=report)
        checksum = hashlib.sha256(
            json.dumps(rows, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()
        batch = ImportBatch(
            organization=community.organization,
            community=community,
            uploaded_by=actor,
            committed_by=actor,
            source=ImportBatch.Source.API,
            checksum=checksum,
            on_existing=on_existing,
        )
        _copy_counts(batch, report)
        batch.save()
        spool.seek(0)
        staged_rows = bulk.load_staging(spool)
        inserted, updated = bulk.upsert_from_staging(
            organization_id=community.organization_id,
            batch_id=batch.pk,
            actor_id=actor.pk,
            status=Observation.Status.SUBMITTED,
            overwrite=on_existing == ImportBatch.OnExisting.OVERWRITE,
            now=timezone.now(),
        )
    batch.inserted_count, batch.updated_count = inserted, updated
    batch.skipped_count = staged_rows - inserted - updated
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.progress_done = batch.progress_total = staged_rows
    batch.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.import_committed",
        target=batch,
        data={
            "source": "api",
            "payload_sha256": checksum,
            "rows": staged_rows,
            "inserted": inserted,
            "updated": updated,
            "skipped": batch.skipped_count,
            "on_existing": on_existing,
        },
    )
    return ApiImportResult(
        batch=batch,
        report=report,
        inserted=inserted,
        updated=updated,
        skipped=batch.skipped_count,
    )
