"""Serializers of the evaluation API. Anonymous answers are never serialized one by one:
the API offers aggregated results only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evaluation.models import (
    CfirConstruct,
    CfirRound,
    EricStrategy,
    Question,
    ResultsRecord,
    StrategyChoice,
    Survey,
)

if TYPE_CHECKING:
    from knowledge.models import TestOfChange
    from measurement.models import Measure


class CfirConstructSerializer(serializers.ModelSerializer):
    """Names and definitions in the requester's language, like every label of the API;
    ``code`` is the stable key."""

    name = serializers.CharField(source="label")
    definition = serializers.CharField(source="description")
    domain = serializers.CharField(source="domain.label")
    # A declared field named like a ``Field`` attribute: DRF's metaclass moves declared
    # fields off the class, so it never shadows ``Field.parent`` the stubs see.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None
    )

    class Meta:
        model = CfirConstruct
        fields = ["code", "name", "domain", "parent", "subdomain", "definition"]


class EricStrategySerializer(serializers.ModelSerializer):
    """Names and definitions in the requester's language; ``number`` is the stable key."""

    name = serializers.CharField(source="label")
    definition = serializers.CharField(source="description")
    cluster = serializers.CharField(source="cluster.label")

    class Meta:
        model = EricStrategy
        fields = ["number", "name", "definition", "cluster"]


class CfirRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = CfirRound
        fields = ["id", "title", "held_on", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]


class HeatSiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()


class HeatCellSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    construct = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # see CfirConstructSerializer
    evidence = serializers.CharField()
    previous = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)


class HeatMapSerializer(serializers.Serializer):
    round = CfirRoundSerializer()
    previous_round = serializers.IntegerField(allow_null=True)
    sites = HeatSiteSerializer(many=True)
    cells = HeatCellSerializer(many=True)


class RatingEntrySerializer(serializers.Serializer):
    construct = serializers.CharField(help_text="CFIR code, e.g. III.D.1")
    rating = serializers.IntegerField(min_value=-2, max_value=2, allow_null=True)
    evidence = serializers.CharField(allow_blank=True, required=False, default="")


class RatingsSaveSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    ratings = RatingEntrySerializer(many=True)


class RatingsSavedSerializer(serializers.Serializer):
    kept = serializers.IntegerField()


class StrategyChoiceSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(
        slug_field="number", queryset=EricStrategy.objects.all()
    )
    strategy_name = serializers.CharField(source="strategy.label", read_only=True)
    tests: serializers.PrimaryKeyRelatedField[TestOfChange] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    measures: serializers.PrimaryKeyRelatedField[Measure] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = StrategyChoice
        fields = ["id", "barrier", "strategy", "strategy_name", "rationale", "tests", "measures"]
        read_only_fields = ["id", "barrier"]


class StrategyLinkSerializer(serializers.Serializer):
    tests = serializers.ListField(child=serializers.IntegerField(), default=list)
    measures = serializers.ListField(child=serializers.IntegerField(), default=list)
    rationale = serializers.CharField(allow_blank=True, required=False)


class SignalSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # see CfirConstructSerializer
    detail = serializers.CharField()


class FollowMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    signal = SignalSerializer()


class FollowStrategySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    strategy_number = serializers.IntegerField(help_text="ERIC number, the stable key")
    strategy = serializers.CharField(help_text="name in the requester's language")
    cluster = serializers.CharField()
    tests = serializers.ListField(child=serializers.IntegerField())
    measures = FollowMeasureSerializer(many=True)


class FollowThroughSerializer(serializers.Serializer):
    barrier = serializers.IntegerField()
    construct = serializers.CharField()
    construct_name = serializers.CharField()
    site = serializers.CharField()
    rating = serializers.IntegerField()
    has_strategy = serializers.BooleanField()
    has_test = serializers.BooleanField()
    has_measure = serializers.BooleanField()
    strategies = FollowStrategySerializer(many=True)


class QuestionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="single, multiple, scale, agreement or text"
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "position",
            "kind",
            "text",
            "help_text",
            "required",
            "options",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "allows_not_relevant",
            "code",
            "objective",
            "expected_result",
        ]


class SurveySerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft, open or closed")

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "introduction",
            "purpose",
            "anonymous",
            "asks_site",
            "status",
            "closes_on",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["id", "status", "opened_at", "closed_at"]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


class SurveyAnswerSerializer(serializers.Serializer):
    site = serializers.IntegerField(required=False, allow_null=True)
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Question id -> answer: an option (or list), a number, text, or a "
        "'not relevant' key (role, stage, practice).",
    )


class AnswerRecordedSerializer(serializers.Serializer):
    status = serializers.CharField()


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind")
    answered = serializers.CharField()
    suppressed = serializers.BooleanField()
    options = serializers.ListField(child=serializers.ListField())
    mean = serializers.FloatField(allow_null=True)
    distribution = serializers.ListField(child=serializers.ListField())
    not_relevant = serializers.CharField(
        help_text="Disclosed count of 'not relevant' answers; empty when the group is withheld."
    )
    texts = serializers.ListField(child=serializers.CharField())


class GroupResultSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # see CfirConstructSerializer
    responses = serializers.CharField(source="shown_responses")
    suppressed = serializers.BooleanField()
    questions = QuestionResultSerializer(many=True, required=False)


class ConstructScoreSerializer(serializers.Serializer):
    construct = serializers.CharField(source="construct.key")
    question = serializers.CharField(source="construct.question")
    mean = serializers.FloatField(allow_null=True)
    respondents = serializers.CharField()
    change = serializers.FloatField(allow_null=True)


class NomadGroupSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # see CfirConstructSerializer
    responses = serializers.CharField(source="shown_responses")
    suppressed = serializers.BooleanField()
    constructs = ConstructScoreSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    kind = serializers.CharField()
    overall = serializers.JSONField()
    by_site = serializers.JSONField()


class ResultsRecordSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending, ready or failed")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ResultsRecord
        fields = ["id", "status", "size", "sha256", "created_at", "finished_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, record: ResultsRecord) -> str | None:
        if record.status != ResultsRecord.Status.READY:
            return None
        return reverse(
            "evaluation:record_download",
            kwargs={
                "org_slug": record.organization.slug,
                "community_slug": record.community.slug,
                "record_id": record.pk,
            },
        )


class ArchiveBlockersSerializer(serializers.Serializer):
    may_archive = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
