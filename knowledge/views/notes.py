"""Field notes: list, create, detail, edit, submit and curate."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.selectors import tags_allowed, tags_of_organization
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.pagination import page_of
from copcore.rendering import render_markdown
from knowledge import selectors, services
from knowledge.forms import (
    CurationForm,
    FieldNoteForm,
)
from knowledge.models import (
    Asset,
    NoteStatus,
)
from knowledge.selectors import Viewer
from knowledge.views.common import PAGE_SIZE, _deny_unless, viewer

# ---------------------------------------------------------------- field notes


def _note_form(
    request: OrganizationRequest, v: Viewer, *, editing=False, note=None, data=None, files=None
):
    org = request.organization
    tags = (
        tags_allowed(community=note.community)
        if note is not None
        else tags_of_organization(organization=org)
    )
    initial = {}
    if note is not None:
        initial = {
            "title": note.title,
            "body": note.body,
            "site": note.site,
            "tags": list(note.tags.all()),
        }
    else:
        initial = {"community": request.GET.get("community")}
    return FieldNoteForm(
        data,
        files,
        communities=selectors.communities_where(viewer=v, permission="add_note"),
        sites=selectors.active_sites(organization=org),
        tags=tags,
        editing=editing,
        initial=initial,
    )


@require_GET
def note_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    status = request.GET.get("status") or None
    if status not in NoteStatus.values:
        status = None
    page, pager_query = page_of(
        request, selectors.field_notes_visible(viewer=v, status=status), PAGE_SIZE
    )
    return render(
        request,
        "knowledge/note_list.html",
        {
            "page": page,
            "query": pager_query,
            "status": status,
            "statuses": NoteStatus.choices,
            "can_create": bool(v.ids("add_note")),
        },
    )


@require_http_methods(["GET", "POST"])
def note_create(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    _deny_unless(bool(v.ids("add_note")))
    form = _note_form(
        request,
        v,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.field_note_create(
                actor=request.user,
                community=data["community"],
                title=data["title"],
                body=data["body"],
                site=data["site"],
                tags=data["tags"],
                uploads=data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your field note has been posted."))
            return redirect("knowledge:note_detail", org_slug=org_slug, note_id=note.pk)
    return render(request, "knowledge/note_form.html", {"form": form, "creating": True})


def _note_actions(v: Viewer, note) -> list[str]:
    if v.can_curate(note.community_id) and note.status == NoteStatus.SUBMITTED:
        return ["request_changes", "decline", "promote"]
    return []


@require_GET
def note_detail(request: OrganizationRequest, org_slug: str, note_id: int) -> HttpResponse:
    v = viewer(request)
    note = selectors.field_note_get(viewer=v, note_id=note_id)
    actions = _note_actions(v, note)
    is_author = note.author_id == request.user.pk
    return render(
        request,
        "knowledge/note_detail.html",
        {
            "note": note,
            "body_html": render_markdown(note.body, top_heading=2),
            "curation_form": CurationForm(actions=actions) if actions else None,
            "can_edit": is_author
            and note.status not in (NoteStatus.SUBMITTED, NoteStatus.PROMOTED),
            "can_submit": is_author
            and note.status
            in (NoteStatus.POSTED, NoteStatus.CHANGES_REQUESTED, NoteStatus.DECLINED),
            "promoted": list(note.promoted_assets.all()),
        },
    )


@require_http_methods(["GET", "POST"])
def note_edit(request: OrganizationRequest, org_slug: str, note_id: int) -> HttpResponse:
    v = viewer(request)
    note = selectors.field_note_get(viewer=v, note_id=note_id)
    _deny_unless(note.author_id == request.user.pk)
    form = _note_form(
        request,
        v,
        editing=True,
        note=note,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.field_note_update(
                actor=request.user,
                note=note,
                title=data["title"],
                body=data["body"],
                site=data["site"],
                tags=data["tags"],
                uploads=data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your field note has been saved."))
            return redirect("knowledge:note_detail", org_slug=org_slug, note_id=note.pk)
    return render(request, "knowledge/note_form.html", {"form": form, "note": note})


@require_POST
def note_submit(request: OrganizationRequest, org_slug: str, note_id: int) -> HttpResponse:
    v = viewer(request)
    note = selectors.field_note_get(viewer=v, note_id=note_id)
    _deny_unless(note.author_id == request.user.pk)
    try:
        services.field_note_submit(actor=request.user, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your note has been sent to the curators."))
    return redirect("knowledge:note_detail", org_slug=org_slug, note_id=note.pk)


@require_POST
def note_curate(request: OrganizationRequest, org_slug: str, note_id: int) -> HttpResponse:
    v = viewer(request)
    note = selectors.field_note_get(viewer=v, note_id=note_id)
    _deny_unless(v.can_curate(note.community_id))
    form = CurationForm(request.POST, actions=["request_changes", "decline", "promote"])
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("knowledge:note_detail", org_slug=org_slug, note_id=note.pk)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "promote":
            asset = services.field_note_promote(
                actor=request.user,
                note=note,
                kind=form.cleaned_data.get("kind") or Asset.Kind.LESSON_LEARNED,
            )
            messages.success(request, _("The note is now an asset draft. Shape it, then publish."))
            return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
        if action == "decline":
            services.field_note_decline(actor=request.user, note=note, reason=reason)
            messages.success(request, _("The note has been declined; the author is told why."))
        else:
            services.field_note_request_changes(actor=request.user, note=note, reason=reason)
            messages.success(request, _("Changes have been requested; the author is told."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("knowledge:note_detail", org_slug=org_slug, note_id=note.pk)
