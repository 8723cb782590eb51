"""Package assets: adding, ordering and removing their items."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from copcore.http import OrganizationRequest
from knowledge import selectors, services
from knowledge.forms import (
    PackageItemForm,
)
from knowledge.views.assets import _asset_context
from knowledge.views.common import _deny_unless, viewer


def _package_and_item(request, v, asset_id, item_id=None):
    asset = selectors.asset_get(viewer=v, asset_id=asset_id)
    item = None
    if item_id is not None:
        item = selectors.package_item_get(asset=asset, item_id=item_id)
    _deny_unless(selectors.can_edit_asset(viewer=v, asset=asset))
    return asset, item


@require_POST
def package_item_add(request: OrganizationRequest, org_slug: str, asset_id: int) -> HttpResponse:
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
    request: OrganizationRequest, org_slug: str, asset_id: int, item_id: int
) -> HttpResponse:
    v = viewer(request)
    asset, item = _package_and_item(request, v, asset_id, item_id)
    direction = -1 if request.POST.get("direction") == "up" else 1
    services.package_item_move(actor=request.user, item=item, direction=direction)
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)


@require_POST
def package_item_remove(
    request: OrganizationRequest, org_slug: str, asset_id: int, item_id: int
) -> HttpResponse:
    v = viewer(request)
    asset, item = _package_and_item(request, v, asset_id, item_id)
    services.package_item_remove(actor=request.user, item=item)
    messages.success(request, _("The change idea has been removed."))
    return redirect("knowledge:asset_detail", org_slug=org_slug, asset_id=asset.pk)
