"""The check page's mapping: a file's own columns and codes read as the CoP's.

``mapping_for`` builds what the page lists: every column of the file with the layout
column it is read as, and every code the CoP does not know (from the dry run) or that
the import profile already maps, each with a choice among the CoP's own. The form posts
rows as ``<kind>-<n>-theirs`` (hidden) and ``<kind>-<n>-ours`` (a choice); on an error
the page is shown again with what was chosen. Requests for a new site or measure go to
those who may create one (``import_code_requests``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communities.models import Community
from copcore.http import OrganizationRequest
from measurement import access, import_reading, selectors, services
from measurement.import_profiles import SEPARATOR, column_key, profile_for
from measurement.models import ImportBatch, ImportCodeRequest, ImportProfile, StratifierCategory
from measurement.readers import column_names
from measurement.validation import COLUMNS

KINDS = ("column", "measure", "site", "category")
MAX_ROWS = 200  # rows of one kind read from a post


@dataclass
class MappingRow:
    theirs: str  # the file's name, as written (or as the profile keeps it)
    ours: str  # the current choice ('' for none)
    from_profile: bool = False


@dataclass
class Mapping:
    columns: list[MappingRow] = field(default_factory=list)
    measures: list[MappingRow] = field(default_factory=list)
    sites: list[MappingRow] = field(default_factory=list)
    categories: list[MappingRow] = field(default_factory=list)
    column_choices: list[tuple[str, str]] = field(default_factory=list)
    measure_choices: list[tuple[str, str]] = field(default_factory=list)
    site_choices: list[tuple[str, str]] = field(default_factory=list)
    category_choices: list[tuple[str, str]] = field(default_factory=list)
    requested: set[tuple[str, str]] = field(default_factory=set)

    @property
    def anything(self) -> bool:
        return bool(self.columns or self.measures or self.sites or self.categories)

    @property
    def has_codes(self) -> bool:
        return bool(self.measures or self.sites or self.categories)


def _rows(
    unknown: list[str], mapped: dict[str, str], typed: dict[str, str] | None
) -> list[MappingRow]:
    rows = [MappingRow(theirs=code, ours="") for code in unknown]
    known = {row.theirs.casefold() for row in rows}
    rows += [
        MappingRow(theirs=theirs, ours=ours, from_profile=True)
        for theirs, ours in sorted(mapped.items())
        if theirs.casefold() not in known
    ]
    if typed is not None:
        for row in rows:
            row.ours = typed.get(row.theirs, row.ours)
    return rows


def _columns(
    header: list[str], profile: ImportProfile | None, typed: dict[str, str] | None
) -> list[MappingRow]:
    if not header:
        return []
    names = column_names(header, profile.columns if profile is not None else None)
    saved = (profile.columns or {}) if profile is not None else {}
    rows = [
        MappingRow(
            theirs=str(cell),
            ours=name if name in COLUMNS else "",
            from_profile=column_key(cell) in saved,
        )
        for cell, name in zip(header, names, strict=True)
        if str(cell).strip()
    ]
    if typed is not None:
        for row in rows:
            row.ours = typed.get(row.theirs, row.ours)
    return rows


def mapping_for(batch: ImportBatch, typed: dict[str, dict[str, str]] | None = None) -> Mapping:
    """What the check page offers to map for ``batch`` (``typed``: the choices of a
    post that was refused, shown again)."""
    community = batch.community
    profile = profile_for(community)
    report = batch.report or {}
    unknown = report.get("unknown") or {}
    typed = typed or {}
    header = [str(cell) for cell in report.get("header") or []]
    mapping = Mapping(
        columns=_columns(header, profile, typed.get("column")),
        measures=_rows(
            unknown.get("measure", []),
            profile.measures if profile else {},
            typed.get("measure"),
        ),
        sites=_rows(unknown.get("site", []), profile.sites if profile else {}, typed.get("site")),
        categories=_rows(
            unknown.get("category", []),
            profile.categories if profile else {},
            typed.get("category"),
        ),
    )
    layout_complete = all(row.ours in COLUMNS for row in mapping.columns) and not any(
        row.from_profile for row in mapping.columns
    )
    if layout_complete and not report.get("error_codes", {}).get("missing_column"):
        mapping.columns = []  # the file uses the layout's names: nothing to map
    mapping.column_choices = [(name, name) for name in COLUMNS]
    mapping.measure_choices = [
        (m.code.casefold(), f"{m.name} ({m.code})")
        for m in selectors.measures(community=community, active_only=True)
    ]
    mapping.site_choices = [
        (e.site.code.casefold(), f"{e.site.name} ({e.site.code})")
        for e in selectors.enrolments(community=community)
    ]
    categories = StratifierCategory.objects.filter(
        organization=community.organization
    ).select_related("stratifier")
    mapping.category_choices = [
        (
            f"{c.stratifier.code.casefold()}{SEPARATOR}{c.code.casefold()}",
            f"{c.stratifier.name}: {c.label} ({c.stratifier.code} {c.code})",
        )
        for c in categories.order_by("stratifier__name", "code")
    ]
    mapping.requested = set(
        ImportCodeRequest.objects.filter(
            community=community, status=ImportCodeRequest.Status.OPEN
        ).values_list("kind", "code")
    )
    return mapping


def typed_mapping(data: QueryDict) -> dict[str, dict[str, str]]:
    """The rows of a mapping post, by kind: {the file's name: the choice}."""
    typed: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        rows: dict[str, str] = {}
        for index in range(MAX_ROWS):
            theirs = data.get(f"{kind}-{index}-theirs")
            if theirs is None:
                break
            if theirs.strip():
                rows[theirs] = data.get(f"{kind}-{index}-ours", "").strip()
        typed[kind] = rows
    return typed


@require_POST
def import_code_request(request: OrganizationRequest, org_slug: str, batch_id: int) -> HttpResponse:
    """A steward asks for a new site or measure named by the file."""
    batch = selectors.import_batch_visible_get(
        user=request.user, organization=request.organization, batch_id=batch_id
    )
    access.require(access.can_submit(request.user, batch.community))
    kind, _sep, code = request.POST.get("request", "").partition(SEPARATOR)
    try:
        services.import_code_request_create(actor=request.user, batch=batch, kind=kind, code=code)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your request has been sent to those who can add sites and measures to this CoP."),
        )
    return redirect("measurement:import_detail", org_slug=org_slug, batch_id=batch_id)


@require_http_methods(["GET", "POST"])
def import_code_requests(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """Open requests for new sites and measures raised from imports: those who may
    create them mark each done or declined."""
    from measurement.views import _community

    community: Community = _community(request, community_slug)
    kinds = [
        kind
        for kind in ImportCodeRequest.Kind.values
        if access.can_create(request.user, community, kind)
    ]
    access.require(bool(kinds))
    if request.method == "POST":
        pk = request.POST.get("request", "")
        found = (
            ImportCodeRequest.objects.filter(
                community=community, kind__in=kinds, pk=int(pk)
            ).first()
            if pk.isdigit()
            else None
        )
        if found is not None:
            try:
                services.import_code_request_resolve(
                    actor=request.user, request=found, status=request.POST.get("status", "")
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The request is closed."))
        return redirect(request.path)
    waiting: list[Any] = list(
        ImportCodeRequest.objects.filter(
            community=community, kind__in=kinds, status=ImportCodeRequest.Status.OPEN
        )
        .select_related("requested_by", "batch")
        .order_by("created_at")
    )
    return render(
        request,
        "measurement/import_code_requests.html",
        {"community": community, "requests": waiting, "recheckable": import_reading.RECHECKABLE},
    )
