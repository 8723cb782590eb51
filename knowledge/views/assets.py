"""One asset: create, detail, edit, versions (new, view, restore, compare), submit, curate, and
file download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.selectors import tags_allowed, tags_of_organization
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from knowledge import selectors, services
from knowledge.forms import (
    AssetCreateForm,
    AssetEditForm,
    CurationForm,
    PackageItemForm,
    VersionForm,
)
from knowledge.models import (
    Asset,
    AssetStatus,
    AssetVersion,
)
from knowledge.rendering import diff_lines, render_markdown
from knowledge.selectors import Viewer
from knowledge.uploads import file_download_response
from knowledge.views.common import _can_draft_asset, _deny_unless, viewer

# ---------------------------------------------------------------- assets


@require_http_methods(["GET", "POST"])
def asset_create(request: OrganizationRequest, org_slug: str) -> HttpResponse:
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


def _asset_context(request: OrganizationRequest, v: Viewer, asset: Asset) -> dict:
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
    context: dict[str, Any] = {
        "asset": asset,
        "version": version,
        "body_html": render_markdown(version.body) if version and version.body else "",
        "versions": selectors.asset_versions(asset=asset),
        "can_edit": can_edit,
        # The checksum is for curators checking a file; members and sponsors don't need it.
        "show_fingerprint": can_curate,
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
def asset_detail(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    return render(request, "knowledge/asset_detail.html", _asset_context(request, v, asset))


@require_http_methods(["GET", "POST"])
def asset_edit(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
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
def asset_version_new(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    _deny_unless(selectors.can_edit_asset(viewer=v, asset=asset))
    current = asset.current_version
    initial: dict[str, object] = {"keep_current_file": True}
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
    request: OrganizationRequest, org_slug: str, asset_id: int, version_number: int
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
            "show_fingerprint": v.can_curate(asset.community_id),
            "is_current": version.pk == asset.current_version_id,
        },
    )


@require_POST
def asset_version_restore(
    request: OrganizationRequest, org_slug: str, asset_id: int, version_number: int
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
def asset_compare(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
    v = viewer(request)
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    versions = list(selectors.asset_versions(asset=asset))
    by_number = {version.number: version for version in versions}
    old: AssetVersion | None
    new: AssetVersion | None
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
def asset_submit(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
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
def asset_curate(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
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


# ---------------------------------------------------------------- files


@require_GET
def file_download(request: OrganizationRequest, org_slug: str, file_id: int) -> HttpResponseBase:
    """Serve a stored file only to someone who may see what it belongs to."""
    stored = selectors.stored_file_get(viewer=viewer(request), file_id=file_id)
    return file_download_response(
        stored.file, file_name=stored.original_name, content_type=stored.content_type
    )
