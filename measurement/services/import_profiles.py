"""Writes of import profiles: a steward maps a file's own columns and codes to the CoP's
(``import_batch_remap`` saves the mapping and checks the stored file again), and asks
for a site or measure the CoP lacks (``import_code_request_create``), which those who
may create it close (``import_code_request_resolve``). Atomic and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from measurement import access
from measurement.import_profiles import (
    SEPARATOR,
    category_key,
    code_key,
    column_key,
)
from measurement.models import (
    ImportBatch,
    ImportCodeRequest,
    ImportProfile,
    Measure,
    SiteEnrolment,
    StratifierCategory,
)
from measurement.services.imports import check_again
from measurement.validation import COLUMNS


def _merge(current: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """The profile's entries with ``changes`` over them; an empty choice removes one."""
    merged = dict(current)
    for theirs, ours in changes.items():
        if ours:
            merged[theirs] = ours
        else:
            merged.pop(theirs, None)
    return merged


def _checked_columns(columns: dict[str, str]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for theirs, ours in columns.items():
        if ours and ours not in COLUMNS:
            raise ValidationError({"columns": _("Choose a column of the layout.")})
        changes[column_key(theirs)] = ours
    return changes


def _checked_codes(
    community: Community,
    measures: dict[str, str],
    sites: dict[str, str],
    categories: dict[str, str],
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The changes with keys folded, after proving each target is the CoP's own."""
    own_measures = {
        code_key(code): code
        for code in Measure.objects.filter(community=community, is_active=True).values_list(
            "code", flat=True
        )
    }
    own_sites = {
        code_key(code): code
        for code in SiteEnrolment.objects.filter(community=community).values_list(
            "site__code", flat=True
        )
    }
    own_categories = {
        category_key(stratifier, category)
        for stratifier, category in StratifierCategory.objects.filter(
            organization=community.organization
        ).values_list("stratifier__code", "code")
    }
    measure_changes: dict[str, str] = {}
    for theirs, ours in measures.items():
        if ours and code_key(ours) not in own_measures:
            raise ValidationError(
                {"measures": _("“%(code)s” is not a measure of this CoP.") % {"code": ours}}
            )
        measure_changes[code_key(theirs)] = code_key(ours) if ours else ""
    site_changes: dict[str, str] = {}
    for theirs, ours in sites.items():
        if ours and code_key(ours) not in own_sites:
            raise ValidationError(
                {"sites": _("“%(code)s” is not a site enrolled in this CoP.") % {"code": ours}}
            )
        site_changes[code_key(theirs)] = code_key(ours) if ours else ""
    category_changes: dict[str, str] = {}
    for theirs, ours in categories.items():
        their_stratifier, _sep, their_category = theirs.partition(SEPARATOR)
        if ours:
            our_stratifier, _sep, our_category = ours.partition(SEPARATOR)
            ours = category_key(our_stratifier, our_category)
            if ours not in own_categories:
                raise ValidationError(
                    {
                        "categories": _(
                            "Choose a category of one of this organization's stratifiers."
                        )
                    }
                )
        category_changes[category_key(their_stratifier, their_category)] = ours
    return measure_changes, site_changes, category_changes


@transaction.atomic
def import_profile_save(
    *,
    actor: User,
    community: Community,
    columns: dict[str, str] | None = None,
    measures: dict[str, str] | None = None,
    sites: dict[str, str] | None = None,
    categories: dict[str, str] | None = None,
) -> ImportProfile:
    """Map the file's names (keys) to the CoP's (values; '' forgets a mapping). A data
    steward may: the mapping only renames what a file says, it creates nothing."""
    access.require(access.can_submit(actor, community))
    column_changes = _checked_columns(columns or {})
    measure_changes, site_changes, category_changes = _checked_codes(
        community, measures or {}, sites or {}, categories or {}
    )
    profile = ImportProfile.objects.select_for_update().filter(
        community=community
    ).first() or ImportProfile(organization=community.organization, community=community)
    # One file cannot have two columns read as one; different files may name a column
    # differently (the profile keeps every name).
    targets = [column for column in column_changes.values() if column]
    repeated = sorted({column for column in targets if targets.count(column) > 1})
    if repeated:
        raise ValidationError(
            {
                "columns": _("Only one of the file's columns can be read as “%(column)s”.")
                % {"column": repeated[0]}
            }
        )
    profile.columns = _merge(profile.columns or {}, column_changes)
    profile.measures = _merge(profile.measures or {}, measure_changes)
    profile.sites = _merge(profile.sites or {}, site_changes)
    profile.categories = _merge(profile.categories or {}, category_changes)
    profile.updated_by = actor
    profile.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.import_profile_saved",
        target=profile,
        data={
            "columns": column_changes,
            "measures": measure_changes,
            "sites": site_changes,
            "categories": category_changes,
        },
    )
    return profile


@transaction.atomic
def import_batch_remap(
    *,
    actor: User,
    batch: ImportBatch,
    columns: dict[str, str] | None = None,
    measures: dict[str, str] | None = None,
    sites: dict[str, str] | None = None,
    categories: dict[str, str] | None = None,
) -> ImportBatch:
    """Save the mapping in the CoP's import profile and check the stored file again
    through it (no new upload; nothing is imported yet)."""
    access.require(access.can_submit(actor, batch.community))
    import_profile_save(
        actor=actor,
        community=batch.community,
        columns=columns,
        measures=measures,
        sites=sites,
        categories=categories,
    )
    return check_again(
        actor=actor, batch=batch, choices={}, verb="measurement.import_remapped", data={}
    )


@transaction.atomic
def import_code_request_create(
    *, actor: User, batch: ImportBatch, kind: str, code: str, note: str = ""
) -> ImportCodeRequest:
    """A steward asks for a site or measure the file names and the CoP lacks. One open
    request per code: asking again returns the open one."""
    community = batch.community
    access.require(access.can_submit(actor, community))
    if kind not in ImportCodeRequest.Kind.values:
        raise ValidationError({"kind": _("Choose a site or a measure.")})
    code = code.strip()
    if not code or len(code) > 100:
        raise ValidationError({"code": _("Give the code as the file writes it.")})
    existing = ImportCodeRequest.objects.filter(
        community=community, kind=kind, code=code, status=ImportCodeRequest.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    request = ImportCodeRequest.objects.create(
        organization=community.organization,
        community=community,
        batch=batch,
        kind=kind,
        code=code,
        note=note.strip()[:1000],
        requested_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.import_code_requested",
        target=request,
        data={"kind": kind, "code": code, "batch": batch.pk},
    )
    return request


@transaction.atomic
def import_code_request_resolve(
    *, actor: User, request: ImportCodeRequest, status: str
) -> ImportCodeRequest:
    """Close a request (done: the site or measure now exists; declined)."""
    access.require(access.can_create(actor, request.community, request.kind))
    if status not in (ImportCodeRequest.Status.DONE, ImportCodeRequest.Status.DECLINED):
        raise ValidationError({"status": _("Choose done or declined.")})
    request = ImportCodeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ImportCodeRequest.Status.OPEN:
        raise ValidationError(_("This request has already been closed."))
    request.status = status
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.save(update_fields=["status", "resolved_by", "resolved_at"])
    data: dict[str, Any] = {"kind": request.kind, "code": request.code, "status": status}
    audit_record(
        organization=request.organization,
        actor=actor,
        verb="measurement.import_code_request_closed",
        target=request,
        data=data,
    )
    return request
