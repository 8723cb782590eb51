"""OpenAPI schema generation under tenancy (kept apart from api_support to avoid an
import cycle: DRF imports api_support while drf-spectacular is still importing)."""

from collections import defaultdict

from django.apps import apps
from django_scopes import scopes_disabled
from drf_spectacular import generators as spectacular_generators
from drf_spectacular import plumbing as spectacular_plumbing
from drf_spectacular.settings import patched_settings


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
