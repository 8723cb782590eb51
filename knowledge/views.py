"""Pages of the knowledge app: the asset repository and its versions, search, field
notes, the curation queue, PDSA tests of change, file downloads and the public page.

Thin: they read through selectors, write through services, and answer 404 for what
the person may not see and 403 for an action their role does not allow.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.selectors import tags_allowed, tags_of_organization
from copcore.forms import add_service_errors
from copcore.pagination import page_of
from knowledge import selectors, services
from knowledge.forms import (
    AssetCreateForm,
    AssetEditForm,
    AssetFilterForm,
    CurationForm,
    FieldNoteForm,
    PackageItemForm,
    TestFilterForm,
    TestOfChangeForm,
    TestTemplateForm,
    VersionForm,
)
from knowledge.models import (
    TEMPLATE_FIELDS,
    Asset,
    AssetStatus,
    NoteStatus,
    TestOfChange,
    TestStatus,
)
from knowledge.rendering import diff_lines, render_markdown
from knowledge.selectors import Viewer
from knowledge.uploads import file_download_response

PAGE_SIZE = 25


def viewer(request: HttpRequest) -> Viewer:
    """The person's rights in the request's organization, computed once per request."""
    cached = getattr(request, "_knowledge_viewer", None)
    if cached is None:
        cached = selectors.viewer_for(
            user=request.user, organization=request.organization, membership=request.membership
        )
        request._knowledge_viewer = cached
    return cached


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _can_draft_asset(v: Viewer, community_id: int | None) -> bool:
    """Members draft assets (curators publish them): holders of add_asset (every
    participant) may start one in their CoP; organization admins organization-wide."""
    return v.can("add_asset", community_id)


def _asset_filter_form(request: HttpRequest, v: Viewer) -> AssetFilterForm:
    org = request.organization
    return AssetFilterForm(
        request.GET or None,
        tags=tags_of_organization(organization=org),
        communities=selectors.communities_where(viewer=v, permission="view"),
        people=selectors.organization_people(organization=org),
    )


# ---------------------------------------------------------------- repository & search


@require_GET
def asset_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    form = _asset_filter_form(request, v)
    del form.fields["q"]  # words are for the search page; the list only filters
    page, pager_query = page_of(
        request, selectors.assets_visible(viewer=v, **form.filters()), PAGE_SIZE
    )
    return render(
        request,
        "knowledge/asset_list.html",
        {
            "form": form,
            "page": page,
            "query": pager_query,
            "can_create": bool(v.ids("add_asset")) or v.is_org_admin,
        },
    )


@require_GET
def search(request: HttpRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    form = _asset_filter_form(request, v)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    results = selectors.asset_search(viewer=v, query=query, **form.filters())
    page, pager_query = page_of(request, results, PAGE_SIZE) if query else (None, "")
    if page is not None:
        for asset in page.object_list:
            asset.snippet_html = selectors.snippet_html(getattr(asset, "snippet", ""))
    return render(
        request,
        "knowledge/search.html",
        {"form": form, "page": page, "q": query, "query": pager_query},
    )


# ---------------------------------------------------------------- assets


@require_http_methods(["GET", "POST"])
def asset_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    communities = selectors.communities_where(viewer=v, permission="add_asset")
    _deny_unless(communities.exists() or v.is_org_admin)
    org = request.organization
    form = AssetCreateForm(
        request.POST or None,
        request.FILES or None,
        communities=communities.distinct().order_by("name"),
        people=selectors.organization_people(organization=org),
        tags=tags_of_organization(organization=org),
        allow_org_wide=v.is_org_admin,
        initial={"community": request.GET.get("community")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = data["community"]
        _deny_unless(_can_draft_asset(v, community.pk if community else None))
        try:
            asset = services.asset_create(
                actor=request.user,
                organization=org,
                community=community,
                kind=data["kind"],
                title=data["title"],
                summary=data["summary"],
                visibility=data["visibility"],
                tags=data["tags"],
                co_owners=data["co_owners"],
                body=data["body"],
                upload=data["upload"],
                link=data["link"],
                change_note=data["change_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The asset draft has been created."))
            return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
    return render(request, "knowledge/asset_form.html", {"form": form, "creating": True})


def _asset_context(request: HttpRequest, v: Viewer, asset: Asset) -> dict:
    can_edit = selectors.can_edit_asset(viewer=v, asset=asset)
    can_curate = v.can_curate(asset.community_id)
    is_owner = selectors.is_asset_owner(user=request.user, asset=asset)
    actions = []
    if can_curate:
        if asset.status == AssetStatus.SUBMITTED:
            actions = ["request_changes", "decline", "publish"]
        elif asset.status in (AssetStatus.DRAFT, AssetStatus.CHANGES_REQUESTED):
            actions = ["publish"]
    version = asset.current_version
    context = {
        "asset": asset,
        "version": version,
        "body_html": render_markdown(version.body) if version and version.body else "",
        "versions": selectors.asset_versions(asset=asset),
        "can_edit": can_edit,
        "can_submit": is_owner
        and asset.status
        in (AssetStatus.DRAFT, AssetStatus.CHANGES_REQUESTED, AssetStatus.DECLINED),
        "curation_form": CurationForm(actions=actions) if actions else None,
        "is_package": asset.kind == Asset.Kind.CHANGE_PACKAGE,
        "public_path": "",
    }
    if asset.status == AssetStatus.PUBLISHED and asset.visibility == "public":
        context["public_path"] = _public_path(asset)
    if context["is_package"]:
        context["items"] = selectors.package_items(asset=asset, viewer=v)
        if can_edit:
            context["item_form"] = PackageItemForm(
                assets=selectors.assets_linkable(viewer=v).exclude(pk=asset.pk)
            )
    return context


def _public_path(asset: Asset) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("public_knowledge:asset", kwargs={"public_id": asset.public_id})
    except NoReverseMatch:  # mounted by the project URLconf at /p/
        return ""


@require_GET
def asset_detail(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    return render(request, "knowledge/asset_detail.html", _asset_context(request, v, asset))


@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    _deny_unless(selectors.can_edit_asset(viewer=v, asset=asset))
    org = request.organization
    tags = (
        tags_of_organization(organization=org)
        if asset.community is None
        else tags_allowed(community=asset.community)
    )
    form = AssetEditForm(
        request.POST or None,
        people=selectors.organization_people(organization=org),
        tags=tags,
        org_wide=asset.community_id is None,
        initial={
            "title": asset.title,
            "kind": asset.kind,
            "summary": asset.summary,
            "visibility": asset.visibility,
            "owner": asset.owner,
            "co_owners": list(asset.co_owners.all()),
            "tags": list(asset.tags.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_update(actor=request.user, asset=asset, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The asset has been saved."))
            return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
    return render(request, "knowledge/asset_edit.html", {"form": form, "asset": asset})


@require_http_methods(["GET", "POST"])
def asset_version_new(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    _deny_unless(selectors.can_edit_asset(viewer=v, asset=asset))
    current = asset.current_version
    initial = {"keep_current_file": True}
    if current is not None:
        initial |= {"body": current.body, "link": current.link}
    form = VersionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.asset_version_create(
                actor=request.user,
                asset=asset,
                body=data["body"],
                upload=data["upload"],
                keep_current_file=data["keep_current_file"],
                link=data["link"],
                change_note=data["change_note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Version %(number)s has been saved.") % {"number": result.version.number},
                )
            else:
                messages.info(
                    request,
                    _(
                        "Nothing changed: the content is identical to version %(number)s, "
                        "so no new version was made."
                    )
                    % {"number": result.version.number},
                )
            return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
    return render(
        request, "knowledge/version_form.html", {"form": form, "asset": asset, "current": current}
    )


@require_GET
def asset_version_detail(
    request: HttpRequest, org_slug: str, asset_id: int, version_number: int
) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    version = selectors.asset_version_get(asset=asset, number=version_number)
    return render(
        request,
        "knowledge/version_detail.html",
        {
            "asset": asset,
            "version": version,
            "body_html": render_markdown(version.body) if version.body else "",
            "can_edit": selectors.can_edit_asset(viewer=v, asset=asset),
            "is_current": version.pk == asset.current_version_id,
        },
    )


@require_POST
def asset_version_restore(
    request: HttpRequest, org_slug: str, asset_id: int, version_number: int
) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    version = selectors.asset_version_get(asset=asset, number=version_number)
    _deny_unless(selectors.can_edit_asset(viewer=v, asset=asset))
    result = services.asset_version_restore(actor=request.user, version=version)
    if result.created:
        messages.success(
            request,
            _("Version %(old)s has been restored as version %(new)s.")
            % {"old": version.number, "new": result.version.number},
        )
    else:
        messages.info(
            request,
            _("Version %(number)s is already the current content.") % {"number": version.number},
        )
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)


@require_GET
def asset_compare(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    versions = list(selectors.asset_versions(asset=asset))
    by_number = {version.number: version for version in versions}
    try:
        old = by_number[int(request.GET.get("from", ""))]
        new = by_number[int(request.GET.get("to", ""))]
    except (KeyError, ValueError):
        old = by_number.get(versions[1].number) if len(versions) > 1 else None
        new = versions[0] if versions else None
    if old is None or new is None:
        messages.info(request, _("There is only one version: nothing to compare yet."))
        return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
    lines = diff_lines(old.body, new.body)
    return render(
        request,
        "knowledge/compare.html",
        {
            "asset": asset,
            "old": old,
            "new": new,
            "versions": versions,
            "lines": lines,
            "added": sum(1 for line in lines if line and line.kind == "added"),
            "removed": sum(1 for line in lines if line and line.kind == "removed"),
            "files_differ": old.file_id != new.file_id,
            "links_differ": old.link != new.link,
        },
    )


@require_POST
def asset_submit(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    _deny_unless(selectors.is_asset_owner(user=request.user, asset=asset))
    try:
        services.asset_submit(actor=request.user, asset=asset)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The asset has been sent to the curators."))
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)


@require_POST
def asset_curate(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    _deny_unless(v.can_curate(asset.community_id))
    form = CurationForm(request.POST, actions=["request_changes", "decline", "publish"])
    if not form.is_valid():
        context = _asset_context(request, v, asset)
        context["curation_form"] = form
        return render(request, "knowledge/asset_detail.html", context, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "publish":
            services.asset_publish(actor=request.user, asset=asset)
            messages.success(request, _("The asset is published."))
        elif action == "decline":
            services.asset_decline(actor=request.user, asset=asset, reason=reason)
            messages.success(request, _("The asset has been declined; the owner is told why."))
        else:
            services.asset_request_changes(actor=request.user, asset=asset, reason=reason)
            messages.success(request, _("Changes have been requested; the owner is told."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)


def _package_and_item(request, v, asset_id, item_id=None):
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    item = None
    if item_id is not None:
        item = selectors.package_item_get(asset=asset, item_id=item_id)
    _deny_unless(selectors.can_edit_asset(viewer=v, asset=asset))
    return asset, item


@require_POST
def package_item_add(request: HttpRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset, _item = _package_and_item(request, v, asset_id)
    form = PackageItemForm(
        request.POST, assets=selectors.assets_linkable(viewer=v).exclude(pk=asset.pk)
    )
    if form.is_valid():
        try:
            services.package_item_add(actor=request.user, package=asset, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The change idea has been added."))
            return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
    context = _asset_context(request, v, asset)
    context["item_form"] = form
    return render(request, "knowledge/asset_detail.html", context, status=400)


@require_POST
def package_item_move(
    request: HttpRequest, org_slug: str, asset_id: int, item_id: int
) -> HttpResponse:
    v = viewer(request)
    asset, item = _package_and_item(request, v, asset_id, item_id)
    direction = -1 if request.POST.get("direction") == "up" else 1
    services.package_item_move(actor=request.user, item=item, direction=direction)
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)


@require_POST
def package_item_remove(
    request: HttpRequest, org_slug: str, asset_id: int, item_id: int
) -> HttpResponse:
    v = viewer(request)
    asset, item = _package_and_item(request, v, asset_id, item_id)
    services.package_item_remove(actor=request.user, item=item)
    messages.success(request, _("The change idea has been removed."))
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)


# ---------------------------------------------------------------- files


@require_GET
def file_download(request: HttpRequest, org_slug: str, file_id: int) -> HttpResponse:
    """Serve a stored file only to someone who may see what it belongs to."""
    stored = selectors.stored_file_get(viewer=viewer(request), file_id=file_id)
    return file_download_response(
        stored.file, file_name=stored.original_name, content_type=stored.content_type
    )


# ---------------------------------------------------------------- field notes


def _note_form(request: HttpRequest, v: Viewer, *, editing=False, note=None, data=None, files=None):
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
def note_list(request: HttpRequest, org_slug: str) -> HttpResponse:
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
def note_create(request: HttpRequest, org_slug: str) -> HttpResponse:
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
def note_detail(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    v = viewer(request)
    note = selectors.field_note_get(viewer=v, note_id=note_id)
    actions = _note_actions(v, note)
    is_author = note.author_id == request.user.pk
    return render(
        request,
        "knowledge/note_detail.html",
        {
            "note": note,
            "body_html": render_markdown(note.body),
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
def note_edit(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
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
def note_submit(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
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
def note_curate(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    v = viewer(request)
    note = selectors.field_note_get(viewer=v, note_id=note_id)
    _deny_unless(v.can_curate(note.community_id))
    form = CurationForm(request.POST, actions=["request_changes", "decline", "promote"])
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
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


# ---------------------------------------------------------------- curation queue


@require_GET
def curation_queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    _deny_unless(bool(v.ids("curate")) or v.is_org_admin)
    items = selectors.curation_queue(viewer=v)
    return render(
        request,
        "knowledge/curation_queue.html",
        {
            "items": items,
            "overdue_count": sum(1 for item in items if item.overdue),
            "limit_days": selectors.WAITING_TOO_LONG.days,
        },
    )


# ---------------------------------------------------------------- tests of change


def _test_filter_form(request: HttpRequest, v: Viewer) -> TestFilterForm:
    return TestFilterForm(
        request.GET or None,
        communities=selectors.communities_where(viewer=v, permission="view"),
        tags=tags_of_organization(organization=request.organization),
    )


def _test_list_page(request: HttpRequest, *, learning: bool) -> HttpResponse:
    v = viewer(request)
    form = _test_filter_form(request, v)
    select = selectors.tests_learning_from_failure if learning else selectors.tests_visible
    page, pager_query = page_of(request, select(viewer=v, **form.filters()), PAGE_SIZE)
    return render(
        request,
        "knowledge/test_list.html",
        {
            "form": form,
            "page": page,
            "query": pager_query,
            "can_create": bool(v.ids("add_test")),
            "learning": learning,
        },
    )


@require_GET
def test_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _test_list_page(request, learning=False)


@require_GET
def test_learning(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Learning from what failed: abandoned tests and contradicted predictions."""
    return _test_list_page(request, learning=True)


def _test_form(
    request, v, *, data=None, instance=None, initial=None, editing=False, community=None
):
    org = request.organization
    communities = selectors.communities_where(viewer=v, permission="add_test")
    measure_communities = [community.pk] if community else list(v.ids("add_test"))
    return TestOfChangeForm(
        data,
        instance=instance,
        initial=initial,
        communities=communities,
        sites=selectors.active_sites(organization=org),
        tags=(
            tags_allowed(community=community)
            if community
            else tags_of_organization(organization=org)
        ),
        measures=selectors.measures_of_communities(
            organization=org, community_ids=measure_communities
        ),
        editing=editing,
    )


def _save_new_test(request, form, previous=None):
    data = form.cleaned_data
    fields = form.service_fields()
    return services.test_of_change_create(
        actor=request.user,
        community=data["community"] if previous is None else previous.community,
        previous_cycle=previous,
        **fields,
    )


@require_http_methods(["GET", "POST"])
def test_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    _deny_unless(bool(v.ids("add_test")))
    initial = {"status": TestStatus.PLANNED, "community": request.GET.get("community")}
    template = None
    template_id = request.GET.get("template", "")
    if template_id.isdigit():
        template = selectors.test_template_get(viewer=v, template_id=int(template_id))
        initial |= {name: getattr(template, name) for name in TEMPLATE_FIELDS}
        initial["title"] = template.name
        if template.community_id:
            initial["community"] = template.community_id
    form = _test_form(request, v, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _deny_unless(v.can("add_test", form.cleaned_data["community"].pk))
        try:
            test = _save_new_test(request, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your test of change has been posted."))
            return redirect("knowledge:test_detail", org_slug=org_slug, test_id=test.pk)
    return render(
        request,
        "knowledge/test_form.html",
        {
            "form": form,
            "templates": selectors.test_templates(viewer=v),
            "template": template,
            "creating": True,
        },
    )


@require_GET
def test_detail(request: HttpRequest, org_slug: str, test_id: int) -> HttpResponse:
    v = viewer(request)
    test = selectors.test_get(viewer=v, test_id=test_id)
    return render(
        request,
        "knowledge/test_detail.html",
        {
            "test": test,
            "chain": selectors.test_chain(test=test),
            "measures": list(test.measures.all()),
            "can_edit": _can_edit_test(v, request, test),
            "can_continue": v.can("add_test", test.community_id),
        },
    )


def _can_edit_test(v: Viewer, request: HttpRequest, test: TestOfChange) -> bool:
    return test.author_id == request.user.pk or v.can_curate(test.community_id)


@require_http_methods(["GET", "POST"])
def test_edit(request: HttpRequest, org_slug: str, test_id: int) -> HttpResponse:
    v = viewer(request)
    test = selectors.test_get(viewer=v, test_id=test_id)
    _deny_unless(_can_edit_test(v, request, test))
    form = _test_form(
        request,
        v,
        data=request.POST or None,
        instance=test,
        editing=True,
        community=test.community,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.test_of_change_update(actor=request.user, test=test, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The test of change has been saved."))
            return redirect("knowledge:test_detail", org_slug=org_slug, test_id=test.pk)
    return render(request, "knowledge/test_form.html", {"form": form, "test": test})


@require_http_methods(["GET", "POST"])
def test_next_cycle(request: HttpRequest, org_slug: str, test_id: int) -> HttpResponse:
    """Start the next cycle of a ramp from this one (prefilled from it)."""
    v = viewer(request)
    previous = selectors.test_get(viewer=v, test_id=test_id)
    _deny_unless(v.can("add_test", previous.community_id))
    initial = services.test_next_cycle_initial(test=previous) | {
        "community": previous.community,
        "status": TestStatus.PLANNED,
    }
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["community"] = str(previous.community_id)
    form = _test_form(request, v, data=data, initial=initial, community=previous.community)
    if request.method == "POST" and form.is_valid():
        try:
            test = _save_new_test(request, form, previous=previous)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The next cycle has been started."))
            return redirect("knowledge:test_detail", org_slug=org_slug, test_id=test.pk)
    return render(
        request, "knowledge/test_form.html", {"form": form, "previous": previous, "creating": True}
    )


@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    can_create = bool(v.ids("add_test")) or v.is_org_admin
    form = TestTemplateForm(
        request.POST or None,
        communities=selectors.communities_where(viewer=v, permission="add_test"),
        allow_org_wide=v.is_org_admin,
    )
    if request.method == "POST":
        _deny_unless(can_create)
        if form.is_valid():
            data = dict(form.cleaned_data)
            community = data.pop("community")
            _deny_unless(v.can("add_test", community.pk) if community else v.is_org_admin)
            try:
                services.test_template_create(
                    actor=request.user,
                    organization=request.organization,
                    community=community,
                    **data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The template has been saved."))
                return redirect("knowledge:template_list", org_slug=org_slug)
    return render(
        request,
        "knowledge/template_list.html",
        {
            "templates": selectors.test_templates(viewer=v),
            "form": form,
            "can_create": can_create,
        },
    )


# ---------------------------------------------------------------- public (no login)


@require_GET
def public_asset(request: HttpRequest, public_id) -> HttpResponse:
    """A public, published asset at a stable address, readable without logging in."""
    asset = selectors.asset_public_get(public_id=public_id)
    version = asset.current_version
    return render(
        request,
        "knowledge/public_asset.html",
        {
            "asset": asset,
            "version": version,
            "body_html": render_markdown(version.body) if version and version.body else "",
        },
    )


@require_GET
def public_asset_file(request: HttpRequest, public_id) -> HttpResponse:
    asset = selectors.asset_public_get(public_id=public_id)
    version = asset.current_version
    if version is None or version.file is None:
        raise Http404
    return file_download_response(
        version.file.file,
        file_name=version.file.original_name,
        content_type=version.file.content_type,
    )
