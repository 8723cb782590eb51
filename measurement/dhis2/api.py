"""DHIS2 API (under /api/v1/o/<org_slug>/dhis2/): the organization's connection (org
admins; the token or password is write-only: answers say only whether one is stored),
its test, and the CoPs' mappings (read; stewards and org admins)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from copcore import crypto
from copcore.api_support import OrganizationScopedMixin
from measurement import selectors as measurement_selectors
from measurement.dhis2 import selectors, services
from measurement.models import Dhis2Connection, Dhis2Mapping


class ConnectionSerializer(serializers.Serializer):
    base_url = serializers.URLField(max_length=300)
    auth = serializers.ChoiceField(choices=Dhis2Connection.Auth.choices)
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        style={"input_type": "password"},
        help_text="Token or password; write-only. Empty or absent keeps the stored one.",
    )
    secret_set = serializers.SerializerMethodField()
    push_enabled = serializers.BooleanField(required=False, default=False)
    tested_at = serializers.DateTimeField(read_only=True)
    test_ok = serializers.BooleanField(read_only=True)
    server_version = serializers.CharField(read_only=True)
    server_user = serializers.CharField(read_only=True)

    def get_secret_set(self, connection: Dhis2Connection) -> bool:
        return crypto.is_set(connection.secret)


class TestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    version = serializers.CharField()
    user = serializers.CharField()
    error = serializers.CharField()
    message = serializers.CharField()


class ConnectionView(OrganizationScopedMixin, APIView):
    """The organization's DHIS2 connection (org admins only)."""

    def _require_admin(self) -> None:
        if not services.is_org_admin(self.request.user, self.organization):
            raise PermissionDenied

    @extend_schema(responses=ConnectionSerializer)
    def get(self, request, *args, **kwargs):
        self._require_admin()
        current = selectors.connection_of(organization=self.organization)
        if current is None:
            raise Http404
        return Response(ConnectionSerializer(current).data)

    @extend_schema(request=ConnectionSerializer, responses=ConnectionSerializer)
    def put(self, request, *args, **kwargs):
        self._require_admin()
        serializer = ConnectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = services.connection_save(
            actor=request.user,
            organization=self.organization,
            base_url=data["base_url"],
            auth=data["auth"],
            username=data.get("username", ""),
            secret=data.get("secret", ""),
            push_enabled=data.get("push_enabled", False),
        )
        return Response(ConnectionSerializer(saved).data)


class ConnectionTestView(OrganizationScopedMixin, APIView):
    """Ask the server for its version and the user it signs in as."""

    @extend_schema(request=None, responses=TestResultSerializer)
    def post(self, request, *args, **kwargs):
        if not services.is_org_admin(request.user, self.organization):
            raise PermissionDenied
        current = selectors.connection_of(organization=self.organization)
        if current is None:
            raise Http404
        result = services.connection_test(actor=request.user, connection=current)
        return Response(
            {
                "ok": result.ok,
                "version": result.version,
                "user": result.user,
                "error": result.error,
                "message": result.message,
            }
        )


class SiteLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    site = serializers.CharField(source="site.code")
    org_unit = serializers.CharField()


class MeasureLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure = serializers.CharField(source="measure.code")
    indicator = serializers.CharField()
    numerator_item = serializers.CharField()
    denominator_item = serializers.CharField()
    value_item = serializers.CharField()


class CategoryLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    option_combo = serializers.CharField()
    stratifier = serializers.CharField(source="category.stratifier.code")
    category = serializers.CharField(source="category.code")


class MappingSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.slug")
    sites = SiteLineSerializer(many=True)
    measures = MeasureLineSerializer(many=True)
    categories = CategoryLineSerializer(many=True)

    class Meta:
        model = Dhis2Mapping
        fields = [
            "id",
            "community",
            "schedule",
            "approval_level",
            "data_set",
            "lookback_periods",
            "last_pulled_at",
            "next_pull_at",
            "sites",
            "measures",
            "categories",
        ]


class MappingListView(OrganizationScopedMixin, generics.ListAPIView):
    """The DHIS2 mappings of the CoPs the caller may map (stewards, org admins)."""

    serializer_class = MappingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dhis2Mapping.objects.none()
        allowed = [
            c.pk
            for c in measurement_selectors.communities(organization=self.organization)
            if services.can_map(self.request.user, c)
        ]
        return (
            Dhis2Mapping.objects.filter(organization=self.organization, community_id__in=allowed)
            .select_related("community")
            .prefetch_related(
                "sites__site", "measures__measure", "categories__category__stratifier"
            )
            .order_by("community__slug")
        )
