"""Published assets anyone may read without logging in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from copcore.rendering import render_markdown
from knowledge import selectors
from knowledge.uploads import file_download_response

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
            "body_html": render_markdown(version.body, top_heading=2)
            if version and version.body
            else "",
        },
    )


@require_GET
def public_asset_file(request: HttpRequest, public_id) -> HttpResponseBase:
    asset = selectors.asset_public_get(public_id=public_id)
    version = asset.current_version
    if version is None or version.file is None:
        raise Http404
    return file_download_response(
        version.file.file,
        file_name=version.file.original_name,
        content_type=version.file.content_type,
    )
