"""OpenAPI schema generation under tenancy (kept apart from api_support to avoid an
import cycle: DRF imports api_support while drf-spectacular is still importing)."""

from collections import defaultdict

from django_scopes import scopes_disabled
from drf_spectacular import generators as spectacular_generators
from drf_spectacular import plumbing as spectacular_plumbing


class SchemaGenerator(spectacular_generators.SchemaGenerator):
    """Writes the OpenAPI schema with tenancy scopes lifted.

    To learn each view's model, drf-spectacular calls ``get_queryset()`` on a mock
    request that carries no organization. Querysets are only built, never evaluated,
    so lifting the scope here exposes no data; views need no schema-only branches.
    """

    def get_schema(self, request=None, public=False):
        with scopes_disabled():
            return super().get_schema(request=request, public=public)


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
