"""What every API endpoint shares: pagination, the one error shape, org-scoped views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, renderers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from copcore.models import User
from copcore.responses import error_body, is_api_path


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten_detail(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten_detail(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(_flatten_detail(d) for d in detail.values())
    return str(detail)


def exception_handler(exc, context):
    """Answer every error as ``{"error": {"code", "message", "fields"}}``.

    Django's own 404 and ValidationError (raised by services) are translated too,
    and a 404 is the same whether the object is missing or belongs to someone else.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        fields: dict[str, Any] = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = " ".join(exc.messages)
        _answer_errors_in_json(context.get("request"))
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    _answer_errors_in_json(context.get("request"))
    if isinstance(exc, exceptions.NotFound):
        response.data = error_body("not_found", _("Not found."))
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {}
        if isinstance(detail, dict):
            message = _("Some fields are not valid.")
            non_field = detail.get("non_field_errors")
            if non_field:
                message = _flatten_detail(non_field)
        else:
            message = _flatten_detail(detail)
        response.data = error_body("invalid", message, fields)
        return response
    code = exc.get_codes() if hasattr(exc, "get_codes") else "error"
    if not isinstance(code, str):
        code = "error"
    response.data = error_body(code, _flatten_detail(exc.detail))
    return response


def _answer_errors_in_json(request: Request | None) -> None:
    """An error is answered in the JSON error shape even when the client asked for an
    export format (``?format=csv``/``xlsx``): a spreadsheet cannot carry the shape."""
    renderer = getattr(request, "accepted_renderer", None)
    if request is None or renderer is None or renderer.format in ("json", "api"):
        return
    request.accepted_renderer = renderers.JSONRenderer()
    request.accepted_media_type = renderers.JSONRenderer.media_type


def request_user(request: Request) -> User:
    """The signed-in person of an API request. Every route but the token exchange
    requires authentication, so this only narrows the type (``AnonymousUser`` is
    refused before the view runs)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated
    return user


if TYPE_CHECKING:
    _APIViewMixin = APIView
else:
    _APIViewMixin = object


def restrict_related(serializer: serializers.Serializer, name: str, queryset: QuerySet) -> None:
    """Limit the serializer's related field ``name`` (for ``many=True``, its child) to
    ``queryset``, e.g. to the rows of the request's organization."""
    field = serializer.fields[name]
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    assert isinstance(field, serializers.RelatedField), name
    # drf-stubs declare ``RelatedField.queryset`` as ``QuerySet | Manager``; django-stubs
    # make Manager a descriptor, so mypy then rejects any assignment on an instance.
    field.queryset = queryset  # type: ignore[arg-type]


class OrganizationScopedMixin(_APIViewMixin):
    """Gives API views ``self.organization`` and ``self.membership`` (set by the tenancy
    middleware; None only while the schema generator inspects the view)."""

    @property
    def organization(self):
        return getattr(self.request, "organization", None)

    @property
    def membership(self):
        return getattr(self.request, "membership", None)


class RejectNulInQueryMiddleware:
    """A NUL character in an API query string is a 400: PostgreSQL cannot compare text
    with NUL in it, so a filter carrying one would fail in the database instead.
    (Bodies are covered by DRF's fields, which refuse NUL in strings.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if is_api_path(request.path_info) and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("The query string contains a NUL character.")
            return JsonResponse(error_body("invalid", message), status=400)
        return self.get_response(request)
