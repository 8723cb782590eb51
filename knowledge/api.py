"""Knowledge API: assets, versions (read), field notes, curation actions, the
curation queue, search and PDSA tests. Scoped to the organization in the URL;
what the caller may not see answers 404, what their role does not allow 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from copcore.api_support import OrganizationScopedMixin
from copcore.http import OrganizationRequest
from knowledge import selectors, services
from knowledge.models import (
    Asset,
    AssetStatus,
    AssetVersion,
    FieldNote,
    NoteStatus,
    TestOfChange,
)
from knowledge.selectors import Viewer
from knowledge.serializers import (
    AssetCreateSerializer,
    AssetDetailSerializer,
    AssetSerializer,
    AssetUpdateSerializer,
    AssetVersionSerializer,
    CurationActionSerializer,
    FieldNoteCreateSerializer,
    FieldNoteSerializer,
    QueueItemSerializer,
    SearchResultSerializer,
    TestOfChangeSerializer,
)
from knowledge.views.common import _can_draft_asset, _deny_unless, viewer

_ASSET_FILTERS = [
    OpenApiParameter("kind", str, enum=Asset.Kind.values),
    OpenApiParameter("tag", str, description="tag slug"),
    OpenApiParameter("community", str, description="community slug"),
    OpenApiParameter("owner", int, description="owner or co-owner user id"),
    OpenApiParameter("status", str, enum=AssetStatus.values),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="changed on or after"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="changed on or before"),
]


if TYPE_CHECKING:

    class _GenericOrganizationView(OrganizationScopedMixin, generics.GenericAPIView):
        pass

else:
    _GenericOrganizationView = OrganizationScopedMixin


def _may_anywhere(v: Viewer, name: str) -> bool:
    """Whether the caller holds ``name`` in some CoP (or organization-wide, as an admin):
    checked before the body is read, so a read-only caller's write is a 403 whatever
    its body; the CoP the body names is checked once it is valid."""
    return bool(v.ids(name)) or v.can(name, None)


class KnowledgeAPIMixin(_GenericOrganizationView):
    filter_backends = []  # filters are read by the selectors

    def get_viewer(self) -> Viewer:
        # The tenancy middleware has made the underlying request an organization request.
        return viewer(cast(OrganizationRequest, self.request._request))

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        context["organization"] = self.organization
        return context

    def asset_filters(self) -> dict | None:
        """The asset filters of the query string; None when one names something that
        does not exist here (so the answer is an empty list, not every asset)."""
        from datetime import date

        from communities.models import Community, Tag
        from copcore.models import User

        params = self.request.query_params
        filters: dict[str, Any] = {}
        if params.get("kind") in Asset.Kind.values:
            filters["kind"] = params["kind"]
        if params.get("status") in AssetStatus.values:
            filters["status"] = params["status"]
        lookups = {
            "tag": lambda value: Tag.objects.filter(organization=self.organization, slug=value),
            "community": lambda value: Community.objects.filter(
                organization=self.organization, slug=value
            ),
            "owner": lambda value: User.objects.filter(
                pk=int(value) if value.isdigit() else 0,
                memberships__organization=self.organization,
            ),
        }
        for key, lookup in lookups.items():
            value = params.get(key)
            if value:
                found = lookup(value).first()
                if found is None:
                    return None
                filters[key] = found
        for key in ("date_from", "date_to"):
            try:
                filters[key] = date.fromisoformat(params.get(key, ""))
            except ValueError:
                continue
        return filters


@extend_schema_view(
    get=extend_schema(parameters=_ASSET_FILTERS),
    post=extend_schema(request=AssetCreateSerializer, responses={201: AssetDetailSerializer}),
)
class AssetListView(KnowledgeAPIMixin, generics.ListCreateAPIView):
    """Assets the caller may read. POST creates a draft (JSON, or multipart with
    ``upload``) in a CoP where the caller may draft assets."""

    serializer_class = AssetSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        filters = None if getattr(self, "swagger_fake_view", False) else self.asset_filters()
        if filters is None:
            return Asset.objects.none()
        return selectors.assets_visible(viewer=self.get_viewer(), **filters)

    def create(self, request, *args, **kwargs):
        # Refuse a caller who may draft nowhere before reading the body (403 whatever it is).
        _deny_unless(_may_anywhere(self.get_viewer(), "add_asset"))
        serializer = AssetCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = data.pop("community", None)
        if not _can_draft_asset(self.get_viewer(), community.pk if community else None):
            raise PermissionDenied
        asset = services.asset_create(
            actor=request.user, organization=self.organization, community=community, **data
        )
        return Response(AssetDetailSerializer(asset).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    patch=extend_schema(request=AssetUpdateSerializer, responses=AssetDetailSerializer),
)
class AssetDetailView(KnowledgeAPIMixin, generics.RetrieveUpdateAPIView):
    """One asset. PATCH changes what describes it (owners, curators); its content
    changes only through new versions."""

    serializer_class = AssetDetailSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.asset_get(viewer=self.get_viewer(), asset_id=self.kwargs["asset_id"])

    def update(self, request, *args, **kwargs):
        asset = self.get_object()
        if not selectors.can_edit_asset(viewer=self.get_viewer(), asset=asset):
            raise PermissionDenied
        serializer = AssetUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        asset = services.asset_update(
            actor=request.user,
            asset=asset,
            title=data.get("title", asset.title),
            summary=data.get("summary", asset.summary),
            kind=data.get("kind", asset.kind),
            visibility=data.get("visibility", asset.visibility),
            tags=data.get("tags", asset.tags.all()),
            co_owners=data.get("co_owners", asset.co_owners.all()),
            owner=data.get("owner"),
        )
        asset = selectors.asset_get(viewer=self.get_viewer(), asset_id=asset.pk)
        return Response(AssetDetailSerializer(asset).data)


class AssetVersionListView(KnowledgeAPIMixin, generics.ListAPIView):
    """The asset's versions, newest first (read only: versions are immutable)."""

    serializer_class = AssetVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssetVersion.objects.none()
        asset = selectors.asset_get(viewer=self.get_viewer(), asset_id=self.kwargs["asset_id"])
        return selectors.asset_versions(asset=asset).select_related("file__organization")


class AssetVersionDetailView(KnowledgeAPIMixin, generics.RetrieveAPIView):
    serializer_class = AssetVersionSerializer

    def get_object(self):
        asset = selectors.asset_get(viewer=self.get_viewer(), asset_id=self.kwargs["asset_id"])
        return selectors.asset_version_get(asset=asset, number=self.kwargs["version_number"])


@extend_schema(request=CurationActionSerializer, responses=AssetDetailSerializer)
class AssetActionView(KnowledgeAPIMixin, generics.GenericAPIView):
    """``submit`` (owners), ``request_changes`` / ``decline`` / ``publish`` (curators)."""

    serializer_class = CurationActionSerializer

    def post(self, request, *args, **kwargs):
        v = self.get_viewer()
        asset = selectors.asset_get(viewer=v, asset_id=self.kwargs["asset_id"])
        _deny_unless(
            selectors.is_asset_owner(user=request.user, asset=asset)
            or v.can_curate(asset.community_id)
        )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action, reason = serializer.validated_data["action"], serializer.validated_data["reason"]
        if action == "submit":
            if not selectors.is_asset_owner(user=request.user, asset=asset):
                raise PermissionDenied
            services.asset_submit(actor=request.user, asset=asset)
        elif action in ("request_changes", "decline", "publish"):
            if not v.can_curate(asset.community_id):
                raise PermissionDenied
            if action == "publish":
                services.asset_publish(actor=request.user, asset=asset)
            elif action == "decline":
                services.asset_decline(actor=request.user, asset=asset, reason=reason)
            else:
                services.asset_request_changes(actor=request.user, asset=asset, reason=reason)
        else:
            raise ValidationError({"action": [_("Assets cannot be promoted.")]})
        asset = selectors.asset_get(viewer=v, asset_id=asset.pk)
        return Response(AssetDetailSerializer(asset).data)


@extend_schema(
    parameters=[OpenApiParameter("q", str, description="search words (web-search syntax)")]
    + _ASSET_FILTERS,
)
class SearchView(KnowledgeAPIMixin, generics.ListAPIView):
    """Full-text search over the assets the caller may read, best match first."""

    serializer_class = SearchResultSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        query = self.request.query_params.get("q", "")
        filters = self.asset_filters()
        if not query.strip() or filters is None:
            return Asset.objects.none()
        return selectors.asset_search(viewer=self.get_viewer(), query=query[:200], **filters)


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("status", str, enum=NoteStatus.values)],
    ),
    post=extend_schema(request=FieldNoteCreateSerializer, responses={201: FieldNoteSerializer}),
)
class FieldNoteListView(KnowledgeAPIMixin, generics.ListCreateAPIView):
    """Field notes of the caller's CoPs. POST posts a note (attachments: use the page)."""

    serializer_class = FieldNoteSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FieldNote.objects.none()
        status_value = self.request.query_params.get("status")
        return selectors.field_notes_visible(
            viewer=self.get_viewer(),
            status=status_value if status_value in NoteStatus.values else None,
        )

    def create(self, request, *args, **kwargs):
        _deny_unless(_may_anywhere(self.get_viewer(), "add_note"))
        serializer = FieldNoteCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not self.get_viewer().can("add_note", data["community"].pk):
            raise PermissionDenied
        note = services.field_note_create(actor=request.user, **data)
        return Response(FieldNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class FieldNoteDetailView(KnowledgeAPIMixin, generics.RetrieveAPIView):
    serializer_class = FieldNoteSerializer

    def get_object(self):
        return selectors.field_note_get(viewer=self.get_viewer(), note_id=self.kwargs["note_id"])


@extend_schema(request=CurationActionSerializer, responses=FieldNoteSerializer)
class FieldNoteActionView(KnowledgeAPIMixin, generics.GenericAPIView):
    """``submit`` (the author), ``request_changes`` / ``decline`` / ``promote`` (curators).
    ``promote`` answers with the new asset draft (HTTP 201)."""

    serializer_class = CurationActionSerializer

    def post(self, request, *args, **kwargs):
        v = self.get_viewer()
        note = selectors.field_note_get(viewer=v, note_id=self.kwargs["note_id"])
        _deny_unless(note.author_id == request.user.pk or v.can_curate(note.community_id))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        action = data["action"]
        if action == "submit":
            if note.author_id != request.user.pk:
                raise PermissionDenied
            services.field_note_submit(actor=request.user, note=note)
        elif action in ("request_changes", "decline", "promote"):
            if not v.can_curate(note.community_id):
                raise PermissionDenied
            if action == "promote":
                asset = services.field_note_promote(
                    actor=request.user, note=note, kind=data["kind"]
                )
                return Response(AssetDetailSerializer(asset).data, status=status.HTTP_201_CREATED)
            if action == "decline":
                services.field_note_decline(actor=request.user, note=note, reason=data["reason"])
            else:
                services.field_note_request_changes(
                    actor=request.user, note=note, reason=data["reason"]
                )
        else:
            raise ValidationError({"action": [_("Field notes are promoted, not published.")]})
        return Response(FieldNoteSerializer(note).data)


class CurationQueueView(KnowledgeAPIMixin, generics.ListAPIView):
    """What waits for the caller's curation, longest wait first."""

    serializer_class = QueueItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        v = self.get_viewer()
        if not (v.ids("curate") or v.is_org_admin):
            raise PermissionDenied
        return selectors.curation_queue(viewer=v)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("learning", bool, description="only abandoned or contradicted"),
            OpenApiParameter("community", str, description="community slug"),
        ]
    )
)
class TestOfChangeListView(KnowledgeAPIMixin, generics.ListCreateAPIView):
    """PDSA tests of the caller's CoPs. ``?learning=true`` lists learning from failure."""

    serializer_class = TestOfChangeSerializer

    def get_queryset(self):
        from communities.models import Community

        if getattr(self, "swagger_fake_view", False):
            return TestOfChange.objects.none()
        v = self.get_viewer()
        filters: dict[str, Any] = {}
        slug = self.request.query_params.get("community")
        if slug:
            filters["community"] = Community.objects.filter(
                organization=self.organization, slug=slug
            ).first()
            if filters["community"] is None:
                return TestOfChange.objects.none()
        learning = self.request.query_params.get("learning", "").lower() in ("1", "true", "yes")
        select = selectors.tests_learning_from_failure if learning else selectors.tests_visible
        return select(viewer=v, **filters).prefetch_related("measures", "next_cycles")

    def create(self, request, *args, **kwargs):
        _deny_unless(_may_anywhere(self.get_viewer(), "add_test"))
        serializer = self.get_serializer(data=request.data)
        assert isinstance(serializer, TestOfChangeSerializer)
        serializer.is_valid(raise_exception=True)
        community = serializer.validated_data["community"]
        if not self.get_viewer().can("add_test", community.pk):
            raise PermissionDenied
        previous = serializer.validated_data.get("previous_cycle")
        if previous is not None:
            selectors.test_get(viewer=self.get_viewer(), test_id=previous.pk)
        test = services.test_of_change_create(
            actor=request.user,
            community=community,
            previous_cycle=previous,
            **serializer.service_fields(),
        )
        return Response(self.get_serializer(test).data, status=status.HTTP_201_CREATED)


class TestOfChangeDetailView(KnowledgeAPIMixin, generics.RetrieveUpdateAPIView):
    """One test. PATCH fills later stages (author or the CoP's curators)."""

    serializer_class = TestOfChangeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> TestOfChange:
        return selectors.test_get(viewer=self.get_viewer(), test_id=self.kwargs["test_id"])

    def update(self, request, *args, **kwargs):
        test = self.get_object()
        v = self.get_viewer()
        if not (test.author_id == request.user.pk or v.can_curate(test.community_id)):
            raise PermissionDenied
        serializer = self.get_serializer(test, data=request.data, partial=True)
        assert isinstance(serializer, TestOfChangeSerializer)
        serializer.is_valid(raise_exception=True)
        fields = serializer.service_fields()
        site = fields.pop("site", test.site)
        tags = fields.pop("tags", list(test.tags.all()))
        measures = fields.pop("measures", list(test.measures.all()))
        test = services.test_of_change_update(
            actor=request.user, test=test, site=site, tags=tags, measures=measures, **fields
        )
        return Response(self.get_serializer(test).data)
