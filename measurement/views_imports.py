"""Measurement pages for file imports: upload, template, the check page (with the
date-reading and figure-reading switches), the import itself, and starting an
interrupted one again. Thin: services write, selectors read. Opening a page fails the
uploads whose work stopped (``services.import_recovery``), so no one waits on a dead
job."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore import spreadsheet
from copcore.http import OrganizationRequest
from measurement import (
    access,
    import_reading,
    issues,
    selectors,
    services,
    views_import_mapping,
)
from measurement.dates import BASIS_CHOSEN
from measurement.forms import CommitForm, DateReadingForm, NumberReadingForm, UploadForm
from measurement.models import ImportBatch, Measure
from measurement.numbers import BASIS_NONE as NUMBERS_DECIDE_NOTHING
from measurement.periods import last_complete_period
from measurement.validation import COLUMNS
from measurement.views import _community, _rights, _save_or_errors

# Imports -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def imports(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community(request, community_slug)
    access.require(access.can_submit(request.user, community))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = _save_or_errors(
            form,
            lambda: services.import_batch_create(
                actor=request.user, community=community, upload=form.cleaned_data["file"]
            ),
        )
        if isinstance(batch, ImportBatch):
            services.import_batch_start(batch=batch)
            return redirect("measurement:import_detail", org_slug=org_slug, batch_id=batch.pk)
    services.import_batches_fail_stopped(batches=selectors.import_batches(community=community))
    batches = selectors.import_batches(community=community)[:25]
    return render(
        request,
        "measurement/imports.html",
        {
            "community": community,
            "form": form,
            "batches": batches,
            "columns": COLUMNS,
            **_rights(request, community),
        },
    )


def _template_rows(measures: list[Measure], enrolments: list) -> list[list[str]]:
    """One example line per measure: its code, the first enrolled site and the last
    complete period; the figures are left for the steward to fill in."""
    site_code = enrolments[0].site.code if enrolments else "SITE"
    today = timezone.localdate()
    return [
        [measure.code, site_code, last_complete_period(measure.frequency, today).isoformat()]
        + [""] * (len(COLUMNS) - 3)
        for measure in measures
    ]


def import_template(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """The documented layout with one example line per measure, as CSV or XLSX."""
    community = _community(request, community_slug)
    rights = _rights(request, community)
    access.require(rights["can_submit"] or rights["can_view"])
    measures = list(selectors.measures(community=community, active_only=True))
    enrolment_list = list(selectors.enrolments(community=community))
    rows = _template_rows(measures, enrolment_list)
    if request.GET.get("format") == "xlsx":
        book = spreadsheet.XlsxBook()
        data = book.sheet("data", list(COLUMNS))
        for row in rows:
            data.append(row)
        info = book.sheet(
            "measures",
            ["measure_code", "name", "value_type", "frequency", "stratifiers", "fill in"],
        )
        for measure in measures:
            info.append([
                measure.code, measure.name, measure.value_type, measure.frequency,
                " ".join(s.code for s in measure.stratifiers.all()),
                "numerator, denominator" if measure.uses_ratio else "value",
            ])  # fmt: skip
        sites = book.sheet("sites", ["site_code", "name"])
        for enrolment in enrolment_list:
            sites.append([enrolment.site.code, enrolment.site.name])
        categories = book.sheet("categories", ["stratifier", "category", "label"])
        for stratifier in selectors.stratifiers(organization=request.organization):
            for category in stratifier.categories.all():
                categories.append([stratifier.code, category.code, category.label])
        response = HttpResponse(book.to_bytes(), content_type=spreadsheet.XLSX_MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{community.slug}-template.xlsx"'
        return response
    response = HttpResponse(
        spreadsheet.csv_text(COLUMNS, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{community.slug}-template.csv"'
    return response


@require_http_methods(["GET", "POST"])
def import_detail(request: OrganizationRequest, org_slug: str, batch_id: int) -> HttpResponse:
    """Status and dry-run preview of an upload; POST imports it (skip or overwrite)."""
    batch = services.import_batch_fail_if_stopped(
        batch=selectors.import_batch_visible_get(
            user=request.user, organization=request.organization, batch_id=batch_id
        )
    )
    community = batch.community
    form = CommitForm(request.POST or None)
    if request.method == "POST":
        access.require(access.can_submit(request.user, community))
        if form.is_valid():
            try:
                batch = services.import_batch_request_commit(
                    actor=request.user, batch=batch, on_existing=form.cleaned_data["on_existing"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                if batch.status == ImportBatch.Status.COMMITTED:
                    messages.success(request, _("The data has been imported."))
                elif batch.status == ImportBatch.Status.DUPLICATE:
                    messages.error(request, _("This file has already been imported."))
            return redirect("measurement:import_detail", org_slug=org_slug, batch_id=batch.pk)
    return render_detail(request, batch, form=form)


def render_detail(
    request: OrganizationRequest,
    batch: ImportBatch,
    *,
    form: CommitForm | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The check page; ``typed`` shows a refused mapping post as it was chosen."""
    community = batch.community
    org_slug = request.organization.slug
    report = batch.report or {}
    reading = report.get("date_reading") or {}
    number_reading = report.get("number_reading") or {}
    shows_numbers = bool(number_reading) and number_reading.get("basis") != NUMBERS_DECIDE_NOTHING
    return render(
        request,
        "measurement/import_detail.html",
        {
            "batch": batch,
            "community": community,
            "form": form or CommitForm(),
            "mapping": views_import_mapping.mapping_for(batch, typed),
            "reading": reading,
            "reading_label": issues.order_label(reading.get("order")) if reading else "",
            "reading_chosen": reading.get("basis") == BASIS_CHOSEN,
            "reading_form": DateReadingForm(initial={"date_order": reading.get("order")}),
            "number_reading": number_reading if shows_numbers else {},
            "number_label": issues.convention_label(number_reading.get("convention")),
            "number_form": NumberReadingForm(
                initial={"number_convention": number_reading.get("convention")}
            ),
            "can_recheck": batch.status in import_reading.RECHECKABLE,
            "retry_step": services.import_batch_retry_step(batch),
            "keep_days": settings.MEASUREMENT_IMPORT_STAGING_KEEP_DAYS,
            "error_groups": issues.describe(report.get("error_groups"), reading.get("order")),
            "warning_groups": issues.describe(report.get("warning_groups")),
            "errors": issues.with_messages(report.get("errors")),
            "warnings": issues.with_messages(report.get("warnings")),
            "existing": issues.with_messages(report.get("existing")),
            "duplicate_of": selectors.import_batch_twin(batch=batch),
            "report": report,
            **_rights(request, community),
            "status_url": reverse(
                "api_measurement:import_batch", kwargs={"org_slug": org_slug, "batch_id": batch.pk}
            ),
        },
        status=status,
    )


@require_POST
def import_recheck(request: OrganizationRequest, org_slug: str, batch_id: int) -> HttpResponse:
    """Check the stored file again with the other date reading or figure reading."""
    batch = selectors.import_batch_visible_get(
        user=request.user, organization=request.organization, batch_id=batch_id
    )
    access.require(access.can_submit(request.user, batch.community))
    if request.POST.get("switch") == "figures" or "number_convention" in request.POST:
        form: DateReadingForm | NumberReadingForm = NumberReadingForm(request.POST)
        done = _("The file is being checked again with the figures read as chosen.")
        invalid = _("Choose how to read the figures.")
    else:
        form = DateReadingForm(request.POST)
        done = _("The file is being checked again with the dates read as chosen.")
        invalid = _("Choose how to read the dates.")
    if form.is_valid():
        try:
            services.import_batch_recheck(actor=request.user, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    else:
        messages.error(request, invalid)
    return redirect("measurement:import_detail", org_slug=org_slug, batch_id=batch_id)


@require_POST
def import_retry(request: OrganizationRequest, org_slug: str, batch_id: int) -> HttpResponse:
    """Start again ("Import again" / "Check again") an upload whose work failed or stopped."""
    batch = selectors.import_batch_visible_get(
        user=request.user, organization=request.organization, batch_id=batch_id
    )
    access.require(access.can_submit(request.user, batch.community))
    try:
        batch = services.import_batch_retry(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if batch.status == ImportBatch.Status.COMMITTED:
            messages.success(request, _("The data has been imported."))
        elif batch.status == ImportBatch.Status.DUPLICATE:
            messages.error(request, _("This file has already been imported."))
        elif batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.COMMITTING):
            messages.success(request, _("The import has started again."))
        elif batch.status != ImportBatch.Status.FAILED:
            messages.success(request, _("The stored file is being checked again."))
    return redirect("measurement:import_detail", org_slug=org_slug, batch_id=batch_id)


@require_POST
def import_mapping(request: OrganizationRequest, org_slug: str, batch_id: int) -> HttpResponse:
    """Save the mapping in the CoP's import profile and check the stored file again."""
    batch = selectors.import_batch_visible_get(
        user=request.user, organization=request.organization, batch_id=batch_id
    )
    access.require(access.can_submit(request.user, batch.community))
    typed = views_import_mapping.typed_mapping(request.POST)
    try:
        services.import_batch_remap(
            actor=request.user,
            batch=batch,
            columns=typed["column"],
            measures=typed["measure"],
            sites=typed["site"],
            categories=typed["category"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render_detail(request, batch, typed=typed, status=400)
    messages.success(
        request, _("The mapping is saved for this CoP and the stored file is being checked again.")
    )
    return redirect("measurement:import_detail", org_slug=org_slug, batch_id=batch_id)
