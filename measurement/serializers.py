"""API representations of measures, observations and import batches."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.models import Community
from measurement.models import ImportBatch, Measure, Observation, RareEvent, Stratifier
from measurement.services import API_MAX_ROWS


def _choice_text(choices) -> str:
    return "One of: " + ", ".join(value for value, _label in choices)


class MeasureSerializer(serializers.ModelSerializer):
    # Choice fields are plain strings here (values documented in help_text) so that the
    # schema's enum names do not collide with other apps' "kind"/"status" fields.
    kind = serializers.CharField(read_only=True, help_text=_choice_text(Measure.Kind.choices))
    value_type = serializers.CharField(
        read_only=True, help_text=_choice_text(Measure.ValueType.choices)
    )
    frequency = serializers.CharField(
        read_only=True, help_text=_choice_text(Measure.Frequency.choices)
    )
    direction = serializers.CharField(
        read_only=True, help_text=_choice_text(Measure.Direction.choices)
    )
    chart_type = serializers.CharField(
        read_only=True, help_text=_choice_text(Measure.ChartType.choices)
    )
    reaim_dimension = serializers.CharField(
        read_only=True, help_text=_choice_text(Measure.ReAim.choices)
    )
    community: serializers.SlugRelatedField[Community] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    stratifiers: serializers.SlugRelatedField[Stratifier] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Measure
        fields = [
            "id", "community", "code", "name", "kind", "reaim_dimension",
            "numerator_definition", "denominator_definition", "inclusions", "exclusions",
            "data_source", "value_type", "rate_multiplier", "rate_unit", "frequency",
            "direction", "goal", "chart_type", "stratifiers", "baseline_periods", "is_active",
            "opportunity_unit",
        ]  # fmt: skip


class ObservationSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="measure.community.slug", read_only=True)
    measure_code = serializers.CharField(source="measure.code", read_only=True)
    site_code = serializers.CharField(source="site.code", read_only=True)
    stratifier = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    status = serializers.CharField(
        read_only=True, help_text=_choice_text(Observation.Status.choices)
    )
    numerator = serializers.CharField(
        read_only=True, allow_null=True, help_text=_('As recorded, or "*" when suppressed.')
    )
    denominator = serializers.CharField(read_only=True, allow_null=True)
    value = serializers.CharField(read_only=True, allow_null=True)
    suppressed = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text=_("True when the organization's disclosure rule hid or rounded a figure."),
    )

    class Meta:
        model = Observation
        fields = [
            "id", "community", "measure", "measure_code", "site", "site_code", "period",
            "stratifier", "category", "numerator", "denominator", "value", "suppressed",
            "comment", "status", "review_comment", "updated_at", "batch",
        ]  # fmt: skip

    def to_representation(self, obj: Observation) -> dict:
        """Figures pass through the disclosure rule of the viewer (``discloser`` in
        the context): data stewards get them as recorded, everyone else disclosed."""
        data = super().to_representation(obj)
        shown = self.context["discloser"].figures(obj)
        data["numerator"] = shown.numerator or None
        data["denominator"] = shown.denominator or None
        data["value"] = shown.value or None
        data["suppressed"] = shown.suppressed or shown.hidden
        return data

    def get_stratifier(self, obj: Observation) -> str:
        return obj.category.stratifier.code if obj.category is not None else ""

    def get_category(self, obj: Observation) -> str:
        return obj.category.code if obj.category is not None else ""


class ObservationRowSerializer(serializers.Serializer):
    """One row of ``POST observations/`` (documentation of the accepted shape; the rows
    are checked by the same code as file imports, which reports line and column)."""

    measure_code = serializers.CharField()
    site_code = serializers.CharField()
    period = serializers.CharField(
        help_text=(
            "First day of the period (YYYY-MM-DD), or a DHIS2 period of the measure's "
            "frequency (2024W12, 202403, 2024Q1) or an ADX interval (2024-03-01/P1M)."
        )
    )
    stratifier = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    numerator = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    comment = serializers.CharField(required=False, allow_blank=True)


class ObservationImportSerializer(serializers.Serializer):
    community = serializers.SlugField(help_text="The CoP the rows belong to.")
    on_existing = serializers.ChoiceField(
        choices=ImportBatch.OnExisting.choices, default=ImportBatch.OnExisting.SKIP
    )
    dry_run = serializers.BooleanField(default=False)
    rows = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=API_MAX_ROWS
    )


class ObservationImportDocSerializer(ObservationImportSerializer):
    # For the schema only: the rows' shape. DRF's metaclass moves declared fields off
    # the class, so redeclaring ``rows`` with another field type is what DRF expects.
    rows = ObservationRowSerializer(many=True)  # type: ignore[assignment]


class RowIssueSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    params = serializers.DictField(help_text="The problem's parameters (text read, hint...).")
    message = serializers.CharField(help_text="The problem in the caller's language.")


class ImportResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    existing = serializers.IntegerField()
    inserted = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    warnings = RowIssueSerializer(many=True)


class ImportBatchSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.slug", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)
    is_running = serializers.BooleanField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text=_choice_text(ImportBatch.Status.choices)
    )
    # DRF's metaclass moves declared fields off the class, so this field never shadows
    # ``Field.source`` (the attribute path) that the stubs see.
    source = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text=_choice_text(ImportBatch.Source.choices)
    )
    on_existing = serializers.CharField(
        read_only=True, help_text=_choice_text(ImportBatch.OnExisting.choices)
    )
    failed_step = serializers.CharField(
        read_only=True,
        help_text="Empty unless failed. " + _choice_text(ImportBatch.Step.choices),
    )
    failure_reason = serializers.CharField(
        read_only=True,
        help_text="Empty unless failed. " + _choice_text(ImportBatch.FailureReason.choices),
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id", "community", "source", "original_name", "checksum", "status",
            "status_display", "on_existing", "total_rows", "valid_rows", "error_count",
            "warning_count", "existing_count", "inserted_count", "updated_count",
            "skipped_count", "progress_done", "progress_total", "progress_percent",
            "is_running", "created_at", "validated_at", "committed_at", "failed_step",
            "failure_reason", "heartbeat_at",
        ]  # fmt: skip


class RareEventSerializer(serializers.ModelSerializer):
    """One event of a rare-events measure (read)."""

    site_code = serializers.CharField(source="site.code", read_only=True)

    class Meta:
        model = RareEvent
        fields = ["id", "site_code", "occurred_on", "category", "opportunities", "created_at"]
        read_only_fields = fields


class RareEventInputSerializer(serializers.Serializer):
    """One event to record: the site's code, the date, an optional category and, where
    the measure counts them, the opportunities since the previous event at the site."""

    site_code = serializers.CharField(max_length=40)
    occurred_on = serializers.DateField()
    category = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    opportunities = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class RareEventBatchSerializer(serializers.Serializer):
    """Up to 1,000 events, recorded all together or not at all."""

    events = serializers.ListField(
        child=RareEventInputSerializer(), allow_empty=False, max_length=1000
    )
