"""Responses that must look the same wherever they are produced.

A missing object and another organization's object must be indistinguishable,
so every 404 of the platform comes from ``not_found_response``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The one error shape of the API."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def not_found_response(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path_info):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return HttpResponse(render_to_string("404.html", request=request), status=404)


def unauthenticated_response() -> JsonResponse:
    return JsonResponse(
        error_body("not_authenticated", _("Authentication credentials were not provided.")),
        status=401,
    )
