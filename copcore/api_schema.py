"""OpenAPI schema generation under tenancy (kept apart from api_support to avoid an
import cycle: DRF imports api_support while drf-spectacular is still importing)."""

from collections import defaultdict

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django_scopes import scopes_disabled
from drf_spectacular import generators as spectacular_generators
from drf_spectacular import openapi
from drf_spectacular import plumbing as spectacular_plumbing
from drf_spectacular.settings import patched_settings
from rest_framework import serializers
from rest_framework.fields import empty


class SchemaGenerator(spectacular_generators.SchemaGenerator):
    """Writes the OpenAPI schema with tenancy scopes lifted.

    To learn each view's model, drf-spectacular calls ``get_queryset()`` on a mock
    request that carries no organization. Querysets are only built, never evaluated,
    so lifting the scope here exposes no data; views need no schema-only branches.
    """

    def get_schema(self, request=None, public=False):
        patches = {"ENUM_NAME_OVERRIDES": colliding_enum_names()}
        with scopes_disabled(), patched_settings(patches):
            spectacular_plumbing._load_enum_name_overrides.cache_clear()
            try:
                return super().get_schema(request=request, public=public)
            finally:
                spectacular_plumbing._load_enum_name_overrides.cache_clear()


def colliding_enum_names() -> dict[str, list]:
    """Names for choice sets that share a field name across models.

    Many models have a ``status`` or a ``kind`` with different choices; without a
    name for each, drf-spectacular invents hashed names and warns. Each distinct
    set is named after the first model that uses it (``SessionStatusEnum``...),
    so apps need not register their enums by hand.
    """
    by_field: dict[str, dict[frozenset, tuple[str, list]]] = defaultdict(dict)
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            values = frozenset(str(value) for value, _label in field.flatchoices)
            name = f"{model.__name__}{field.name.title().replace('_', '')}Enum"
            by_field[field.name].setdefault(values, (name, list(field.flatchoices)))
    return {
        name: choices
        for sets in by_field.values()
        if len(sets) > 1
        for name, choices in sets.values()
    }


def build_mock_request(method, path, view, original_request, **kwargs):
    """drf-spectacular's mock request, with the attributes the tenancy middleware sets."""
    request = spectacular_plumbing.build_mock_request(
        method, path, view, original_request, **kwargs
    )
    request.organization = None
    request.membership = None
    # No URL was resolved: path parameters read by get_queryset() come back empty.
    view.kwargs = defaultdict(str, getattr(view, "kwargs", None) or {})
    return request


# A local wall-clock time (a series' start time: the zone is a field of its own, so the
# offset changes with daylight saving and cannot be part of the value). OpenAPI's
# ``format: time`` is RFC 3339's full-time, which requires an offset: the API's times
# are documented by this pattern instead.
LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def _model_field(field: serializers.Field):
    """The model field behind a ModelSerializer field (None for anything else)."""
    meta = getattr(field.parent, "Meta", None)
    model = getattr(meta, "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


def _model_field_is_blank(field: serializers.Field) -> bool:
    """Whether the model field allows "" (DRF drops ``allow_blank`` from read-only
    fields, so the model is the one to ask)."""
    model_field = _model_field(field)
    return bool(model_field is not None and model_field.blank)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, saying what the serializers really emit:

    - a field whose default is None (``source="a.b", default=None``), or a declared
      read-only field over a nullable column, is nullable in responses;
    - a URL field that may be blank is a URI *or* "" (not a bare ``format: uri``);
    - a time of day is a local ``HH:MM[:SS]`` (see LOCAL_TIME_PATTERN).
    """

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and getattr(field, "default", empty) is None:
            meta["nullable"] = True  # emitted when the source is missing
        model_field = _model_field(field) if field.read_only else None
        if direction == "response" and model_field is not None and model_field.null:
            meta["nullable"] = True  # a declared read-only field over a nullable column
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema = {key: value for key, value in schema.items() if key != "format"}
            schema["pattern"] = LOCAL_TIME_PATTERN
        if (
            isinstance(field, serializers.URLField)
            and schema.get("format") == "uri"
            and (field.allow_blank or _model_field_is_blank(field))
        ):
            schema = {key: value for key, value in schema.items() if key != "format"}
            schema["anyOf"] = [{"format": "uri"}, {"maxLength": 0}]
        return schema

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if {"format": "uri"} in schema.get("anyOf", []):
            schema.pop("format", None)  # put back by the URLValidator


ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error shape of the API.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "invalid, not_found, ..."},
                "message": {"type": "string", "description": "In the caller's language."},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Field name -> its errors (for code invalid).",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (a field, a filter, or a refused state change).",
    "401": "No valid token or session.",
    "403": "The caller's role does not allow this action on an object they can see.",
    "404": "Not found, or not the caller's to see (the same answer for both); or no such page.",
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def error_statuses(path: str, operation: dict) -> list[str]:
    """The error statuses an operation may answer:

    400 everywhere (a body or a filter that is not valid, a state the service refuses
    such as "already a member", a query string with a NUL character); 401 everywhere a
    login is needed; 403 and 404 under an organization (roles, tenancy); 404 also for
    a page past the end of a list."""
    if "security" in operation and {} in operation["security"]:
        return ["400", "403"]  # the token exchange: bad credentials, or locked out
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    statuses = ["400", "401"]
    if "/o/{org_slug}/" in path:
        statuses += ["403", "404"]
    elif "page" in query:
        statuses.append("404")
    return statuses


def document_errors(result, generator, request, public):
    """Postprocessing hook: every operation lists the errors it may answer, all in the
    one error shape (drf-spectacular documents successes only)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in error_statuses(path, operation):
                documented = responses.setdefault(
                    status, {"description": ERROR_DESCRIPTIONS[status]}
                )
                documented.setdefault("content", {"application/json": {"schema": ERROR_REF}})
    return result
