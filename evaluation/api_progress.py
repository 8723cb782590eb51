"""API of the monthly progress ratings (IHI Assessment Scale): list a CoP's ratings
(filter by site, month, kind) and record or revise this month's rating of a site team.
Everyone who sees the CoP reads them; the site's team lead self-rates, conveners and
facilitators give the faculty's rating (403 otherwise); another organization's CoP or a
site not enrolled in it is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from evaluation import services
from evaluation.api import CommunityScoped
from evaluation.models import AssessmentLevel, ProgressRating
from evaluation.selectors import progress as sel
from measurement.models import SiteEnrolment


class ProgressRatingSerializer(serializers.ModelSerializer):
    site = serializers.IntegerField(source="site_id")
    site_name = serializers.CharField(source="site.name", read_only=True)
    month = serializers.DateField(read_only=True)
    score = serializers.ChoiceField(choices=AssessmentLevel.choices)
    level = serializers.CharField(source="level_label", read_only=True)
    rated_by = serializers.CharField(source="rated_by.display_name", read_only=True, default=None)

    class Meta:
        model = ProgressRating
        fields = [
            "id",
            "site",
            "site_name",
            "month",
            "kind",
            "score",
            "level",
            "note",
            "rated_by",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["score"] = f"{instance.score:.1f}"
        return data


class ProgressRatingList(CommunityScoped, generics.ListCreateAPIView):
    """A CoP's progress ratings, newest month first. POST records (or revises) the
    current month's rating of one site team; past months cannot be changed."""

    serializer_class = ProgressRatingSerializer
    queryset = ProgressRating.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("site", OpenApiTypes.INT, description="Only this site's ratings"),
            OpenApiParameter("month", OpenApiTypes.STR, description="Only this month (YYYY-MM)"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=ProgressRating.Kind.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.fake():
            return self.queryset
        found = (
            ProgressRating.objects.filter(community=self.community)
            .select_related("site", "rated_by")
            .order_by("-month", "site__name", "kind")
        )
        params = self.request.query_params
        site = params.get("site", "")
        if site:
            found = found.filter(site_id=int(site)) if site.isdigit() else found.none()
        month = params.get("month", "")
        if month:
            try:
                found = found.filter(month=dt.date.fromisoformat(f"{month}-01"))
            except ValueError:
                found = found.none()
        kind = params.get("kind", "")
        if kind:
            found = found.filter(kind=kind)
        return found

    def create(self, request, *args, **kwargs):
        # Who may rate at all is decided before the body is read: a sponsor's write is
        # a 403 whatever it sends (a site team lead rates their site, faculty any site).
        leads_a_site = SiteEnrolment.objects.filter(
            community=self.community, team_lead=request.user
        ).exists()
        if not (self.access.can_assess or leads_a_site):
            raise PermissionDenied(_("Only a site's team lead or the faculty may rate."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            enrolment = sel.enrolment_get(community=self.community, site_id=data["site_id"])
        except Http404:
            raise serializers.ValidationError(
                {"site": ["Choose a site enrolled in this community."]}
            ) from None
        rating = services.progress_rate(
            actor=request.user,
            community=self.community,
            site=enrolment.site,
            kind=data["kind"],
            score=data["score"],
            note=data.get("note", ""),
            may_rate_as_faculty=self.access.can_assess,
        )
        return Response(self.get_serializer(rating).data, status=status.HTTP_201_CREATED)
