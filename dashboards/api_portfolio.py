"""API of the organization's portfolio: one entry per CoP the caller may see, with the
same figures as the page (phase, months in it, expected results, progress scores,
key-measure signals under the caller's disclosure rule, vitality, data completeness,
overdue action items, open escalations). Org admins and sponsors only (403 for other
members); filter with ``phase`` and ``topic``, order with ``sort``; paginated."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from communities.models import Community
from copcore.api_support import OrganizationScopedMixin, request_user
from dashboards.selectors import portfolio as sel


class PortfolioSignalSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.CharField()
    state_text = serializers.CharField()
    latest = serializers.CharField()


class PortfolioRowSerializer(serializers.Serializer):
    community = serializers.CharField(source="community.slug")
    name = serializers.CharField(source="community.name")
    topic = serializers.CharField(source="community.topic")
    phase = serializers.CharField()
    phase_since = serializers.DateField()
    months_in_phase = serializers.IntegerField()
    expected_results = serializers.IntegerField(source="results_total")
    expected_results_status = serializers.DictField(
        source="results_status", child=serializers.IntegerField()
    )
    progress_median = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    progress_median_last_month = serializers.DecimalField(
        source="progress_median_before", max_digits=3, decimal_places=2, allow_null=True
    )
    progress_change = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    progress_distribution = serializers.SerializerMethodField()
    sites_rated = serializers.IntegerField(source="progress_rated")
    sites = serializers.IntegerField()
    sites_with_complete_data = serializers.IntegerField(source="sites_complete")
    key_measures = PortfolioSignalSerializer(source="signals", many=True, allow_null=True)
    vitality = serializers.CharField()
    vitality_text = serializers.CharField()
    overdue_action_items = serializers.IntegerField(source="overdue_actions")
    open_escalations = serializers.IntegerField()

    def get_progress_distribution(self, row) -> dict[str, int]:
        return {f"{v:.1f}": n for v, n in sorted(row.progress_counts.items())}


class PortfolioView(OrganizationScopedMixin, generics.ListAPIView):
    """Every CoP of the organization the caller may see, side by side."""

    serializer_class = PortfolioRowSerializer
    queryset = Community.objects.none()  # for the schema; the rows are plain data

    @extend_schema(
        parameters=[
            OpenApiParameter("phase", OpenApiTypes.STR, description="Only CoPs in this phase"),
            OpenApiParameter("topic", OpenApiTypes.STR, description="Only CoPs with this topic"),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(sel.SORTS)),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        user = request_user(self.request)
        role = self.membership.role if self.membership else None
        if not sel.may_see_portfolio(user=user, organization=self.organization, org_role=role):
            raise PermissionDenied
        rows = sel.portfolio(user=user, organization=self.organization, org_role=role)
        params = self.request.query_params
        return sel.filter_and_sort(
            rows,
            phase=params.get("phase", ""),
            topic=params.get("topic", ""),
            sort=params.get("sort", "name"),
        )
