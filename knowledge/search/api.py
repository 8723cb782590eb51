"""GET /api/v1/o/<org>/search/: the one search for programs, with a ``kind`` per result."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from knowledge.api import KnowledgeAPIMixin
from knowledge.search.registry import SOURCES
from knowledge.search.views import search_form

MAX_PAGE_SIZE = 100


class OneSearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(SOURCES))
    kind_label = serializers.CharField()
    id = serializers.IntegerField(source="object_id")
    title = serializers.CharField()
    url = serializers.CharField(help_text="the page, opening at the result's place")
    community = serializers.SerializerMethodField()
    date = serializers.DateTimeField()
    snippet = serializers.CharField(source="snippet_text", help_text="plain text")
    snippet_html = serializers.CharField(
        help_text="the snippet escaped, with the matched words in <mark>"
    )

    def get_community(self, result) -> str | None:
        return result.community.slug if result.community else None


class FacetSerializer(serializers.Serializer):
    value = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, required=True, description="web-search syntax, word* prefix"),
        OpenApiParameter("kind", str, enum=sorted(SOURCES)),
        OpenApiParameter("community", str, description="community slug"),
        OpenApiParameter("author", int, description="user id"),
        OpenApiParameter("tag", str),
        OpenApiParameter("date_from", OpenApiTypes.DATE),
        OpenApiParameter("date_to", OpenApiTypes.DATE),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int),
    ],
    responses=inline_serializer(
        "SearchAnswer",
        {
            "count": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(),
            "suggestion": serializers.CharField(),
            "facets": inline_serializer(
                "SearchFacets",
                {"kind": FacetSerializer(many=True), "community": FacetSerializer(many=True)},
            ),
            "results": OneSearchResultSerializer(many=True),
        },
    ),
)
class OneSearchView(KnowledgeAPIMixin, generics.GenericAPIView):
    """Everything the caller may see that matches ``q``, best match first, with facets by
    kind and community counted over visible documents only."""

    serializer_class = OneSearchResultSerializer
    pagination_class = None

    def get(self, request, *args, **kwargs):
        from knowledge.search.query import search

        v = self.get_viewer()
        form = search_form(request.query_params, v)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        query = form.cleaned_data["q"].strip()
        if not query:
            raise ValidationError({"q": [_("Type some words to search for.")]})
        page = _positive(request.query_params.get("page"), 1)
        size = min(_positive(request.query_params.get("page_size"), 20), MAX_PAGE_SIZE)
        answer = search(
            viewer=v,
            query=query,
            filters=form.search_filters(),
            offset=(page - 1) * size,
            limit=size,
        )
        facet_rows = {
            name: [{"value": str(f.value), "name": str(f.label), "count": f.count} for f in facets]
            for name, facets in answer.facets.items()
        }
        return Response(
            {
                "count": answer.total,
                "page": page,
                "page_size": size,
                "suggestion": answer.suggestion,
                "facets": facet_rows,
                "results": OneSearchResultSerializer(answer.results, many=True).data,
            }
        )


def _positive(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else default
