"""Dashboard API: the CoP dashboard, a measure's chart data, site comparison, equity
breakdowns, chart notes, the RE-AIM one-pager, vitality and the disclosure rule.

Every figure is the disclosed one for the caller (see dashboards.disclosure), the
same as on the pages; a caller who may not see the CoP's data gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Community
from copcore.api_support import OrganizationScopedMixin, request_user
from copcore.permissions import OrgRole
from dashboards import selectors, services
from dashboards.models import ChartNote, DisclosureRule
from dashboards.selectors import reaim, vitality
from dashboards.views.common import Viewer, build_comparison, build_equity, build_measure_chart
from measurement.models import Measure


class ChartNoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True, default="")
    site = serializers.IntegerField(
        source="site_id", required=False, allow_null=True, help_text="an enrolled site's id"
    )

    class Meta:
        model = ChartNote
        fields = ["id", "period", "text", "site", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]

    def validate_site(self, value):
        if value is None:
            return None
        site = selectors.enrolled_site(community=self.context["community"], site_id=value)
        if site is None:
            raise serializers.ValidationError(_("Choose a site enrolled in this CoP."))
        return site


class DisclosureRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisclosureRule
        fields = ["mode", "small_max", "rounding_base", "hide_zero", "secondary_suppression"]


class DashboardMixin(OrganizationScopedMixin):
    """The community of the URL and the caller's audience, read once."""

    sponsor_view = False

    @cached_property
    def _access(self) -> tuple[Community, set[str], str]:
        return selectors.community_with_access(
            organization=self.organization,
            slug=self.kwargs["community_slug"],
            user=request_user(self.request),
            # Set by the tenancy middleware on the Django request DRF wraps.
            access_token=getattr(self.request, "access_version", None),
        )

    @property
    def community(self) -> Community:
        return self._access[0]

    @cached_property
    def viewer(self) -> Viewer:
        return Viewer(request_user(self.request), self.membership)

    @cached_property
    def audience(self) -> selectors.Audience:
        community, granted, token = self._access
        audience = selectors.audience_for(
            user=request_user(self.request),
            community=community,
            sponsor_view=self.sponsor_view,
            token=token,
            granted=granted,
        )
        selectors.require_view(audience)
        return audience


def _figure(figure) -> str | float | None:
    """A disclosed figure in JSON: a number, "*" when hidden, null when missing."""
    if figure is None:
        return None
    if figure.suppressed:
        return "*"
    return figure.value


def _points(rows: list[dict], points) -> list[dict]:
    return [
        {
            "period": row["period"],
            "numerator": _figure(point.num),
            "denominator": _figure(point.den),
            "value": "*" if row["suppressed"] else row["y"],
            "cl": row["cl"],
            "lcl": row["lcl"],
            "ucl": row["ucl"],
            "part": row["part"],
            "signal": row["point_class"] if row["point_class"] != "common" else None,
            "signal_rule": row["signal_label"] or None,
        }
        for row, point in zip(rows, points, strict=True)
    ]


def _summary(s: selectors.MeasureSummary) -> dict:
    return {
        "id": s.info.id,
        "code": s.info.code,
        "name": s.info.name,
        "kind": s.info.kind,
        "reaim_dimension": s.info.reaim,
        "direction": s.info.direction,
        "latest_period": s.latest_label or None,
        "latest_value": s.latest_value,
        "state": s.state,
        "variation_icon": s.variation_icon,
        "assurance_icon": s.assurance_icon,
    }


@extend_schema(
    summary="The CoP dashboard: every active measure's current state",
    description="Latest value, signal state and Making Data Count icons per measure, from "
    "the figures the caller may see (disclosed for non-stewards).",
    responses=OpenApiTypes.OBJECT,
)
class DashboardView(DashboardMixin, APIView):
    def get(self, request, org_slug: str, community_slug: str):
        _meta, summaries = selectors.overview(community=self.community, audience=self.audience)
        return Response(
            {
                "community": self.community.slug,
                "disclosure": self.audience.rule.describe(),
                "measures": [_summary(s) for s in summaries],
            }
        )


SITE_PARAM = OpenApiParameter("site", int, description="a site's id: that site's chart")


@extend_schema(
    summary="A measure's chart: points, centre line, limits, signals and annotations",
    parameters=[SITE_PARAM],
    responses=OpenApiTypes.OBJECT,
)
class MeasureChartView(DashboardMixin, APIView):
    def get(self, request, org_slug: str, community_slug: str, measure_id: int):
        audience = self.audience
        site_id = None
        raw = request.query_params.get("site", "")
        if raw:
            if not raw.isdigit():
                raise Http404
            site_id = int(raw)
        meta, info, _arrays, chart = build_measure_chart(
            self.viewer, self.community, audience, measure_id, site_id
        )
        return Response(
            {
                "measure": {
                    "id": info.id,
                    "code": info.code,
                    "name": info.name,
                    "unit": info.unit,
                    "goal": info.goal,
                },  # fmt: skip
                "scope": chart.scope_label,
                "chart": chart.chart,
                # why the measure's default chart is not the one it once had ("" if it is)
                "chart_note": info.chart_note,
                "method": chart.method,
                "points": _points(chart.rows, chart.points),
                "parts": (chart.result or {}).get("parts", []),
                "annotations": [
                    {
                        "period": a["period"],
                        "kind": a["kind"],
                        "title": a["title"],
                        "url": a["url"],
                    }  # fmt: skip
                    for a in chart.annotations
                ],
                "disclosure": audience.rule.describe(),
            }
        )


ANONYMOUS_PARAM = OpenApiParameter("anonymous", int, description="1: label sites Site A, B...")


@extend_schema(
    summary="Sites compared: each site's series and the funnel plot",
    parameters=[ANONYMOUS_PARAM],
    responses=OpenApiTypes.OBJECT,
)
class MeasureSitesView(DashboardMixin, APIView):
    def get(self, request, org_slug: str, community_slug: str, measure_id: int):
        anonymous = request.query_params.get("anonymous") == "1"
        _meta, info, panels, _spec, overall, funnel, _funnel_spec = build_comparison(
            self.viewer, self.community, self.audience, measure_id, anonymous
        )
        return Response(
            {
                "measure": info.code,
                "sites": [
                    {
                        "site": label,
                        "points": [
                            {
                                "period": r["period"],
                                "value": "*" if r["suppressed"] else r["y"],
                                "cl": r["cl"],
                            }  # fmt: skip
                            for r in rows
                        ],
                    }
                    for label, rows in panels
                ],
                "funnel": {
                    "overall": overall,
                    "window_periods": selectors.WINDOW,
                    "sites": [
                        {
                            "site": p.label,
                            "numerator": _figure(p.num),
                            "denominator": _figure(p.den),
                            "value": "*"
                            if p.y is None and (p.num.suppressed or p.den.suppressed)
                            else p.y,
                            "outside_998": p.outside,
                        }  # fmt: skip
                        for p in funnel
                    ],
                },
                "disclosure": self.audience.rule.describe(),
            }
        )


@extend_schema(
    summary="Equity breakdowns: each category over time and the best-worst gap",
    responses=OpenApiTypes.OBJECT,
)
class MeasureEquityView(DashboardMixin, APIView):
    def get(self, request, org_slug: str, community_slug: str, measure_id: int):
        _meta, info, breakdowns = build_equity(self.community, self.audience, measure_id)
        return Response(
            {
                "measure": info.code,
                "stratifiers": [
                    {
                        "stratifier": b.stratifier.name,
                        "categories": [
                            {
                                "category": label,
                                "points": [
                                    {
                                        "period": p.label,
                                        "numerator": _figure(p.num),
                                        "denominator": _figure(p.den),
                                        "value": "*" if p.suppressed else p.y,
                                    }  # fmt: skip
                                    for p in points
                                ],
                            }
                            for _cat, label, points in b.series
                        ],
                        "gaps": [
                            {
                                "period": g[0],
                                "gap": g[1],
                                "best": g[2] or None,
                                "worst": g[3] or None,
                            }  # fmt: skip
                            for g in b.gaps
                        ],
                    }
                    for b, _spec in breakdowns
                ],
                "disclosure": self.audience.rule.describe(),
            }
        )


class ChartNoteListView(DashboardMixin, generics.ListCreateAPIView):
    """Members' notes on a measure's chart. Creating one needs a participant role."""

    serializer_class = ChartNoteSerializer

    def _measure(self) -> Measure:
        measure = Measure.objects.filter(
            community=self.community, pk=self.kwargs["measure_id"]
        ).first()
        if measure is None:
            raise Http404
        return measure

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["community"] = self.community
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChartNote.objects.none()
        self.audience  # noqa: B018 - 404 for someone who may not see the data
        return (
            ChartNote.objects.filter(community=self.community, measure=self._measure())
            .select_related("author")
            .order_by("period", "id")
        )

    def perform_create(self, serializer):
        if not self.audience.can_note:
            raise PermissionDenied
        data = serializer.validated_data
        serializer.instance = services.chart_note_add(
            actor=request_user(self.request),
            measure=self._measure(),
            period=data["period"],
            text=data["text"],
            site=data.get("site_id"),
        )


@extend_schema(
    summary="The RE-AIM one-pager: five panels with completeness and gaps",
    responses=OpenApiTypes.OBJECT,
)
class ReAimView(DashboardMixin, APIView):
    def get(self, request, org_slug: str, community_slug: str):
        page = reaim.one_pager(community=self.community, audience=self.audience)
        return Response(
            {
                "community": self.community.slug,
                "figures": page.data,
                "panels": [
                    {
                        "dimension": panel.key,
                        "definition": panel.definition,
                        "completeness": {
                            "present": panel.inputs_present,
                            "total": panel.inputs_total,
                        },
                        "cannot_show": panel.cannot_show,
                        "figures": [
                            {"label": f.label, "value": f.value, "note": f.note}
                            for f in panel.figures
                        ],
                    }
                    for panel in page.panels
                ],
                "expected_results": [
                    {
                        "position": row["result"].position,
                        "description": row["result"].description,
                        "status": row["review"].status if row["review"] else None,
                    }
                    for row in selectors.expected_results_reviewed(community=self.community)
                ],
                "disclosure": page.rule_text,
            }
        )


@extend_schema(summary="CoP vitality per month and its status", responses=OpenApiTypes.OBJECT)
class VitalityView(DashboardMixin, APIView):
    def get(self, request, org_slug: str, community_slug: str):
        self.audience  # noqa: B018 - 404 for someone who may not see the data
        return Response(vitality.community_vitality(community=self.community).as_dict())


class DisclosureRuleView(OrganizationScopedMixin, generics.RetrieveUpdateAPIView):
    """The organization's disclosure rule: anyone in the organization may read it,
    org admins may change it."""

    serializer_class = DisclosureRuleSerializer
    http_method_names = ["get", "put", "patch"]

    def get_object(self):
        rule = selectors.disclosure_rule_get(organization=self.organization)
        return rule or DisclosureRule(organization=self.organization)

    def perform_update(self, serializer):
        if self.membership.role != OrgRole.ADMIN:
            raise PermissionDenied
        current = self.get_object()
        values = {
            field: serializer.validated_data.get(field, getattr(current, field))
            for field in DisclosureRuleSerializer.Meta.fields
        }
        serializer.instance = services.disclosure_rule_save(
            actor=request_user(self.request), organization=self.organization, **values
        )
