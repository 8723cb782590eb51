"""Evaluation API: reference data, CFIR rounds and ratings, strategies for barriers, the
follow-through chain, surveys (answering and aggregated results only) and the results
records. Another organization's object is a 404; a visible one without the role for
the action a 403."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from copcore.api_support import OrganizationScopedMixin
from evaluation import selectors, services
from evaluation.access import Access, load
from evaluation.models import (
    CfirConstruct,
    CfirRound,
    EricStrategy,
    ResultsRecord,
    StrategyChoice,
    Survey,
)
from evaluation.permissions import EvaluationPermission as E
from evaluation.serializers import (
    AnswerRecordedSerializer,
    ArchiveBlockersSerializer,
    CfirConstructSerializer,
    CfirRoundSerializer,
    EricStrategySerializer,
    FollowThroughSerializer,
    GroupResultSerializer,
    HeatMapSerializer,
    NomadGroupSerializer,
    RatingsSavedSerializer,
    RatingsSaveSerializer,
    ResultsRecordSerializer,
    StrategyChoiceSerializer,
    StrategyLinkSerializer,
    SurveyAnswerSerializer,
    SurveyDetailSerializer,
    SurveyResultsSerializer,
    SurveySerializer,
)


class CommunityScoped(OrganizationScopedMixin):
    @cached_property
    def access(self) -> Access:
        return load(
            organization=self.organization,
            user=self.request.user,
            community_slug=self.kwargs["community_slug"],
        )

    @property
    def community(self):
        return self.access.community

    def fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class CfirConstructList(OrganizationScopedMixin, generics.ListAPIView):
    """The CFIR 2.0 domains' constructs and sub-constructs (Damschroder et al. 2022)."""

    serializer_class = CfirConstructSerializer
    queryset = CfirConstruct.objects.select_related("domain", "parent").order_by("position")


class EricStrategyList(OrganizationScopedMixin, generics.ListAPIView):
    """The 73 ERIC strategies (Powell et al. 2015) with their cluster (Waltz et al. 2015)."""

    serializer_class = EricStrategySerializer
    queryset = EricStrategy.objects.select_related("cluster").order_by("number")


class CfirRoundList(CommunityScoped, generics.ListCreateAPIView):
    serializer_class = CfirRoundSerializer
    queryset = CfirRound.objects.none()

    def get_queryset(self):
        if self.fake():
            return self.queryset
        return selectors.cfir_rounds(community=self.community)

    def create(self, request, *args, **kwargs):
        self.access.require(E.ASSESS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.cfir_round_create(
            actor=request.user,
            community=self.community,
            title=data["title"],
            held_on=data.get("held_on") or timezone.localdate(),
            notes=data.get("notes", ""),
        )
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


class CfirRoundDetail(CommunityScoped, generics.GenericAPIView):
    """The heat map of a round: every site's rating of every construct it rated, with
    the change since the previous round."""

    serializer_class = HeatMapSerializer
    queryset = CfirRound.objects.none()  # for the schema's path parameters

    def get(self, request, *args, **kwargs):
        found = selectors.cfir_round_get(community=self.community, round_id=kwargs["round_id"])
        heat = selectors.heat_map(cfir_round=found)
        cells = []
        for _domain, rows in heat.domains:
            for row in rows:
                for site, cell in zip(heat.sites, row.cells, strict=True):
                    if cell.rating is None and not cell.evidence and not cell.had_previous:
                        continue
                    cells.append(
                        {
                            "site": site.pk,
                            "construct": row.construct.code,
                            "rating": cell.rating,
                            "label": cell.label,
                            "evidence": cell.evidence,
                            "previous": cell.previous,
                            "change": cell.change,
                        }
                    )
        data = {
            "round": found,
            "previous_round": heat.previous.pk if heat.previous else None,
            "sites": [{"id": s.pk, "name": s.name, "code": s.code} for s in heat.sites],
            "cells": cells,
        }
        return Response(self.get_serializer(data).data)


class CfirRatingsSave(CommunityScoped, generics.GenericAPIView):
    """Save one site's ratings in a round (assess)."""

    serializer_class = RatingsSaveSerializer
    queryset = CfirRound.objects.none()  # for the schema's path parameters

    @extend_schema(responses=RatingsSavedSerializer)
    def post(self, request, *args, **kwargs):
        found = selectors.cfir_round_get(community=self.community, round_id=kwargs["round_id"])
        self.access.require(E.ASSESS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        site = selectors.site_for_community(community=self.community, site_id=data["site"])
        constructs = {c.code: c for c in selectors.cfir_constructs()}
        unknown = [e["construct"] for e in data["ratings"] if e["construct"] not in constructs]
        if unknown:
            raise ValidationError(
                {"ratings": _("Unknown CFIR codes: %(codes)s") % {"codes": ", ".join(unknown)}}
            )
        kept = services.cfir_ratings_save(
            actor=request.user,
            cfir_round=found,
            site=site,
            entries=[
                (constructs[e["construct"]], e["rating"], e.get("evidence", ""))
                for e in data["ratings"]
            ],
        )
        return Response({"kept": kept})


class BarrierStrategies(CommunityScoped, generics.ListCreateAPIView):
    """Strategies chosen for one barrier; POST chooses another (assess)."""

    serializer_class = StrategyChoiceSerializer
    queryset = StrategyChoice.objects.none()
    pagination_class = None

    @cached_property
    def barrier(self):
        return selectors.barrier_get(community=self.community, barrier_id=self.kwargs["barrier_id"])

    def get_queryset(self):
        if self.fake():
            return self.queryset
        return selectors.barrier_strategies(barrier=self.barrier)

    def create(self, request, *args, **kwargs):
        barrier = self.barrier
        self.access.require(E.ASSESS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choice = services.strategy_choose(
            actor=request.user,
            barrier=barrier,
            strategy=serializer.validated_data["strategy"],
            rationale=serializer.validated_data.get("rationale", ""),
        )
        return Response(self.get_serializer(choice).data, status=status.HTTP_201_CREATED)


class StrategyChoiceDetail(CommunityScoped, generics.GenericAPIView):
    """A chosen strategy; PUT sets its tests and measures, DELETE removes it (assess)."""

    serializer_class = StrategyChoiceSerializer
    queryset = StrategyChoice.objects.none()  # for the schema's path parameters

    def _choice(self) -> StrategyChoice:
        return selectors.strategy_choice_get(
            community=self.community, choice_id=self.kwargs["choice_id"]
        )

    def get_object(self) -> StrategyChoice:
        return self._choice()

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._choice()).data)

    @extend_schema(request=StrategyLinkSerializer, responses=StrategyChoiceSerializer)
    def put(self, request, *args, **kwargs):
        from knowledge.models import TestOfChange
        from measurement.models import Measure

        choice = self._choice()
        self.access.require(E.ASSESS)
        serializer = StrategyLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tests = list(TestOfChange.objects.filter(community=self.community, pk__in=data["tests"]))
        measures = list(Measure.objects.filter(community=self.community, pk__in=data["measures"]))
        if len(tests) != len(set(data["tests"])) or len(measures) != len(set(data["measures"])):
            raise ValidationError(
                {"tests": _("Choose tests and measures of this community."), "measures": ""}
            )
        services.strategy_link(
            actor=request.user,
            choice=choice,
            tests=tests,
            measures=measures,
            rationale=data.get("rationale"),
        )
        return Response(self.get_serializer(self._choice()).data)

    def delete(self, request, *args, **kwargs):
        choice = self._choice()
        self.access.require(E.ASSESS)
        services.strategy_remove(actor=request.user, choice=choice)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowThrough(CommunityScoped, generics.GenericAPIView):
    """Each barrier of the latest round: strategy, test, measure and the measure's
    current signal."""

    serializer_class = FollowThroughSerializer
    queryset = StrategyChoice.objects.none()  # for the schema's path parameters
    pagination_class = None

    @extend_schema(responses=FollowThroughSerializer(many=True))
    def get(self, request, *args, **kwargs):
        from dashboards.selectors import audience_for

        audience = audience_for(user=request.user, community=self.community)
        rows = selectors.follow_through(community=self.community, audience=audience)
        data = [
            {
                "barrier": row.barrier.pk,
                "construct": row.barrier.construct.code,
                "construct_name": row.barrier.construct.label,
                "site": row.barrier.site.name,
                "rating": row.barrier.rating,
                "has_strategy": row.has_strategy,
                "has_test": row.has_test,
                "has_measure": row.has_measure,
                "strategies": [
                    {
                        "id": line.choice.pk,
                        "strategy_number": line.choice.strategy.number,
                        "strategy": line.choice.strategy.label,
                        "cluster": line.choice.strategy.cluster.label,
                        "tests": [t.pk for t in line.tests],
                        "measures": [
                            {
                                "id": m.pk,
                                "code": m.code,
                                "name": m.name,
                                "signal": {"key": s.key, "label": s.label, "detail": s.detail},
                            }
                            for m, s in line.measures
                        ],
                    }
                    for line in row.strategies
                ],
            }
            for row in rows
        ]
        return Response(FollowThroughSerializer(data, many=True).data)


class SurveyList(CommunityScoped, generics.ListCreateAPIView):
    serializer_class = SurveySerializer
    queryset = Survey.objects.none()

    def get_queryset(self):
        if self.fake():
            return self.queryset
        return selectors.surveys(community=self.community)

    def create(self, request, *args, **kwargs):
        self.access.require(E.MANAGE_SURVEYS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["purpose"] == Survey.Purpose.NOMAD:
            created = services.nomad_round_create(
                actor=request.user, community=self.community, title=data["title"]
            )
        else:
            created = services.survey_create(actor=request.user, community=self.community, **data)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


class SurveyDetail(CommunityScoped, generics.RetrieveAPIView):
    serializer_class = SurveyDetailSerializer
    queryset = Survey.objects.none()

    def get_object(self):
        return selectors.survey_get(community=self.community, survey_id=self.kwargs["survey_id"])


class SurveyRespond(CommunityScoped, generics.GenericAPIView):
    """Answer an open survey (respond). The answer is recorded without any reference
    returned, so an anonymous answer cannot be traced back through the API either."""

    serializer_class = SurveyAnswerSerializer
    queryset = Survey.objects.none()  # for the schema's path parameters

    @extend_schema(responses={201: AnswerRecordedSerializer})
    def post(self, request, *args, **kwargs):
        survey = selectors.survey_get(community=self.community, survey_id=kwargs["survey_id"])
        self.access.require(E.RESPOND)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answers = {}
        for key, value in data["answers"].items():
            if not str(key).isdigit():
                raise ValidationError({"answers": _("Unknown question %(key)r.") % {"key": key}})
            answers[int(key)] = value
        site = None
        if data.get("site"):
            site = selectors.site_for_community(community=self.community, site_id=data["site"])
        services.survey_respond(actor=request.user, survey=survey, answers=answers, site=site)
        return Response({"status": "recorded"}, status=status.HTTP_201_CREATED)


class SurveyResultsView(CommunityScoped, generics.GenericAPIView):
    """Aggregated results (overall and per site); small groups are withheld."""

    serializer_class = SurveyResultsSerializer
    queryset = Survey.objects.none()  # for the schema's path parameters

    def get(self, request, *args, **kwargs):
        survey = selectors.survey_get(community=self.community, survey_id=kwargs["survey_id"])
        results: selectors.NomadResults | selectors.SurveyResults
        if survey.purpose == Survey.Purpose.NOMAD:
            results = selectors.nomad_results(survey=survey)
            overall = NomadGroupSerializer(results.overall).data
            by_site = NomadGroupSerializer(results.by_site, many=True).data
        else:
            results = selectors.survey_results(survey=survey)
            overall = GroupResultSerializer(results.overall).data
            by_site = GroupResultSerializer(results.by_site, many=True).data
        return Response(
            {"survey": survey.pk, "kind": survey.purpose, "overall": overall, "by_site": by_site}
        )


class ResultsRecordList(CommunityScoped, generics.ListCreateAPIView):
    """Results records of the CoP; POST queues a new build (conclude)."""

    serializer_class = ResultsRecordSerializer
    queryset = ResultsRecord.objects.none()

    def get_queryset(self):
        if self.fake():
            return self.queryset
        return selectors.results_records(community=self.community).select_related(
            "organization", "community"
        )

    def create(self, request, *args, **kwargs):
        self.access.require(E.CONCLUDE)
        record = services.results_record_request(actor=request.user, community=self.community)
        record.refresh_from_db()
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


class ArchiveBlockers(CommunityScoped, generics.GenericAPIView):
    """What still blocks moving the CoP to archived (empty: it may be archived)."""

    serializer_class = ArchiveBlockersSerializer
    queryset = ResultsRecord.objects.none()  # for the schema's path parameters

    def get(self, request, *args, **kwargs):
        reasons = selectors.archive_blockers(community=self.community)
        return Response({"may_archive": not reasons, "reasons": reasons})
