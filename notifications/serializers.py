"""Serializers of the notifications API."""

from __future__ import annotations

from rest_framework import serializers

from notifications.models import REMINDER_KINDS, Bounce, DeliveryRecord, NotificationPreference


class PreferenceSerializer(serializers.ModelSerializer):
    disabled_reminders = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REMINDER_KINDS)), required=False
    )
    opted_out_communities = serializers.ListField(
        child=serializers.IntegerField(), required=False, write_only=False
    )

    class Meta:
        model = NotificationPreference
        fields = [
            "digest_enabled",
            "frequency",
            "weekday",
            "hour",
            "include_content",
            "followed_replies",
            "disabled_reminders",
            "opted_out_communities",
            "bouncing",
        ]
        read_only_fields = ["bouncing"]


class DeliverySerializer(serializers.ModelSerializer):
    subject = serializers.CharField(
        source="subject_shown",
        read_only=True,
        help_text="The subject in the language of the request (from subject_code)",
    )
    subject_code = serializers.CharField(
        read_only=True, help_text="digest_daily, digest_weekly or a reminder kind"
    )
    kind = serializers.CharField(read_only=True, help_text="digest or a reminder kind")
    status = serializers.CharField(
        read_only=True, help_text="reserved, sent, failed or skipped (nothing new)"
    )

    class Meta:
        model = DeliveryRecord
        fields = [
            "id",
            "kind",
            "period_key",
            "status",
            "email",
            "subject",
            "subject_code",
            "subject_params",
            "attempts",
            "created_at",
            "sent_at",
            "bounced_at",
            "bounce_reason",
        ]
        read_only_fields = fields


class BounceInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    bounce_type = serializers.ChoiceField(choices=Bounce.Type.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    message_id = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class BounceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bounce
        fields = ["id", "user", "delivery", "bounce_type", "reason", "created_at"]
        read_only_fields = fields
