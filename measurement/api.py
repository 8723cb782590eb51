"""Measurement API: observations (read, filter, export CSV, bulk write), measures and
import batches. Every read goes through ``observations_visible_to``."""

from __future__ import annotations

import django_filters
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, renderers, status
from rest_framework.response import Response

from communities.models import Community
from copcore import spreadsheet
from copcore.api_support import OrganizationScopedMixin
from copcore.responses import error_body
from measurement import access, exports, issues, selectors, services
from measurement.disclosers import Discloser, OrganizationDiscloser
from measurement.models import ImportBatch, Measure, Observation, RareEvent
from measurement.serializers import (
    ImportBatchSerializer,
    ImportResultSerializer,
    MeasureSerializer,
    ObservationImportDocSerializer,
    ObservationImportSerializer,
    ObservationSerializer,
    RareEventBatchSerializer,
    RareEventSerializer,
)


class CSVRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``text/csv`` (Accept header or ``?format=csv``); the list
    view streams the export itself, and errors are answered in the API's JSON error
    shape (``copcore.api_support.exception_handler``), so nothing is rendered here."""

    media_type = "text/csv"
    format = "csv"
    charset: str | None = "utf-8"  # the XLSX subclass is binary: no charset

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b""


class XLSXRenderer(CSVRenderer):
    """``?format=xlsx``: the export as an Excel workbook with typed cells."""

    media_type = spreadsheet.XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None


class ObservationFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="measure__community__slug")
    measure = django_filters.NumberFilter(field_name="measure_id")
    measure_code = django_filters.CharFilter(field_name="measure__code")
    site = django_filters.NumberFilter(field_name="site_id")
    site_code = django_filters.CharFilter(field_name="site__code", lookup_expr="iexact")
    period = django_filters.DateFromToRangeFilter(field_name="period")
    status = django_filters.ChoiceFilter(choices=Observation.Status.choices)

    class Meta:
        model = Observation
        fields = ["community", "measure", "measure_code", "site", "site_code", "period", "status"]


class ObservationListView(OrganizationScopedMixin, generics.ListAPIView):
    """Observations the caller may see. Filters: ``community``, ``measure``,
    ``measure_code``, ``site``, ``site_code``, ``period_after``, ``period_before``,
    ``status``. ``?format=csv`` (or ``Accept: text/csv``) exports every matching row as
    CSV with spreadsheet formulas neutralised.

    POST writes up to 10,000 rows with the file import's checks: all rows or none."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    renderer_classes = [
        renderers.JSONRenderer,
        renderers.BrowsableAPIRenderer,
        CSVRenderer,
        XLSXRenderer,
    ]

    def get_renderers(self):
        # Only the read is exported; a write answers in JSON whatever the Accept header.
        if self.request.method not in ("GET", "HEAD"):
            return [renderers.JSONRenderer(), renderers.BrowsableAPIRenderer()]
        return super().get_renderers()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "discloser": self.discloser}

    @cached_property
    def discloser(self) -> Discloser:
        return OrganizationDiscloser(user=self.request.user)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no queries
            return Observation.objects.none()
        return (
            selectors.observations_visible_in_organization(
                user=self.request.user, organization=self.organization
            )
            .select_related("measure__community", "site", "category__stratifier")
            .order_by("measure__community__slug", "measure__code", "site__code", "period", "id")
        )

    @extend_schema(
        responses={
            (200, "application/json"): ObservationSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
        }
    )
    def get(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            rows = self.filter_queryset(self.get_queryset()).iterator(chunk_size=2000)
            stream = StreamingHttpResponse(
                exports.in_scope(
                    self.organization, exports.csv_lines(rows, figures=self.discloser.figures)
                ),
                content_type="text/csv; charset=utf-8",
            )
            stream["Content-Disposition"] = 'attachment; filename="observations.csv"'
            return stream
        if request.accepted_renderer.format == "xlsx":
            rows = self.filter_queryset(self.get_queryset()).iterator(chunk_size=2000)
            response = HttpResponse(
                exports.xlsx_bytes(rows, figures=self.discloser.figures),
                content_type=XLSXRenderer.media_type,
            )
            response["Content-Disposition"] = 'attachment; filename="observations.xlsx"'
            return response
        return self.list(request, *args, **kwargs)

    @extend_schema(
        request=ObservationImportDocSerializer,
        responses={
            (201, "application/json"): ImportResultSerializer,
            (200, "application/json"): OpenApiResponse(
                ImportResultSerializer, description="dry run"
            ),
            400: OpenApiResponse(description="Row errors in fields.rows: nothing was saved."),
        },
    )
    def post(self, request, *args, **kwargs):
        # A caller who may submit data in no CoP is refused before the body is read; the
        # CoP the body names is checked by the service.
        communities = selectors.communities(organization=self.organization)
        access.require(any(access.can_submit(request.user, c) for c in communities))
        serializer = ObservationImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        community = selectors.community_get(organization=self.organization, slug=data["community"])
        result = services.observations_import_rows(
            actor=request.user,
            community=community,
            rows=data["rows"],
            on_existing=data["on_existing"],
            dry_run=data["dry_run"],
        )
        report = result.report
        if report.error_count:
            message = _("%(n)s row error(s): nothing was saved.") % {"n": report.error_count}
            return Response(
                error_body("invalid", message, {"rows": issues.with_messages(report.errors)}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        body = {
            "batch": result.batch.pk if result.batch else None,
            "status": result.batch.status if result.batch else "checked",
            "dry_run": data["dry_run"],
            "rows": report.total_rows,
            "existing": report.existing_count,
            "inserted": result.inserted,
            "updated": result.updated,
            "skipped": result.skipped,
            "warnings": issues.with_messages(report.warnings),
        }
        return Response(body, status=status.HTTP_200_OK if data["dry_run"] else 201)


class MeasureListView(OrganizationScopedMixin, generics.ListAPIView):
    """Measures of the CoPs whose data the caller may see (``?community=<slug>``)."""

    serializer_class = MeasureSerializer
    filterset_fields = ["frequency", "value_type", "kind", "is_active"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no queries
            return Measure.objects.none()
        visible = [
            c.pk
            for c in selectors.communities(organization=self.organization)
            if access.can_view(self.request.user, c)
        ]
        measures = (
            Measure.objects.filter(organization=self.organization, community_id__in=visible)
            .select_related("community")
            .prefetch_related("stratifiers")
            .order_by("community__slug", "code")
        )
        slug = self.request.query_params.get("community")
        return measures.filter(community__slug=slug) if slug else measures


class ImportBatchDetailView(OrganizationScopedMixin, generics.RetrieveAPIView):
    """Status and progress of an import (polled by the status page)."""

    serializer_class = ImportBatchSerializer
    queryset = ImportBatch.objects.none()

    def get_object(self):
        # A batch whose work stopped is failed here too: the status page polls this.
        return services.import_batch_fail_if_stopped(
            batch=selectors.import_batch_visible_get(
                user=self.request.user,
                organization=self.organization,
                batch_id=self.kwargs["batch_id"],
            )
        )


class RareEventListView(OrganizationScopedMixin, generics.ListAPIView):
    """The events of a rare-events measure (newest first; ``?site_code=`` filters), for
    those who submit or approve the CoP's data: event dates are not disclosed to others
    (the dashboards show them counts and intervals under disclosure control).

    POST records up to 1,000 events (``{"events": [...]}``) all together or not at all;
    the counts per period are recomputed and submitted for review."""

    serializer_class = RareEventSerializer

    def _measure(self) -> tuple[Community, Measure]:
        measure = (
            Measure.objects.filter(
                organization=self.organization,
                pk=self.kwargs["events_measure_id"],
                value_type=Measure.ValueType.RARE_EVENTS,
            )
            .select_related("community")
            .first()
        )
        if measure is None or not access.can_view(self.request.user, measure.community):
            raise Http404
        community = measure.community
        user = self.request.user
        access.require(access.can_submit(user, community) or access.can_approve(user, community))
        return community, measure

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no queries
            return RareEvent.objects.none()
        _community, measure = self._measure()
        events = selectors.rare_events(measure=measure)
        code = self.request.query_params.get("site_code")
        return events.filter(site__code__iexact=code) if code else events

    @extend_schema(
        request=RareEventBatchSerializer,
        responses={
            201: RareEventSerializer(many=True),
            400: OpenApiResponse(description="Errors by row in fields.rows: nothing was saved."),
        },
    )
    def post(self, request, *args, **kwargs):
        community, measure = self._measure()
        serializer = RareEventBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            created = services.rare_events_record_many(
                actor=request.user, community=community, measure=measure,
                rows=serializer.validated_data["events"],
            )  # fmt: skip
        except services.EventRowsInvalid as error:
            return Response(
                error_body("invalid", error.messages[0], {"rows": error.rows}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(RareEventSerializer(created, many=True).data, status=201)
