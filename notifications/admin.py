"""Admin: staff can look at delivery records and record bounces by hand."""

from django.contrib import admin

from notifications.models import Bounce, DeliveryRecord, NotificationPreference


@admin.register(DeliveryRecord)
class DeliveryRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "period_key", "status", "sent_at", "bounced_at"]
    list_filter = ["kind", "status"]
    search_fields = ["email", "period_key"]
    readonly_fields = ["user", "kind", "period_key", "email", "message_id", "created_at", "sent_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_enabled", "frequency", "weekday", "hour", "bouncing"]


@admin.register(Bounce)
class BounceAdmin(admin.ModelAdmin):
    list_display = ["user", "bounce_type", "reason", "created_at"]

    def get_queryset(self, request):
        from django_scopes import scopes_disabled

        with scopes_disabled():
            return super().get_queryset(request).select_related("user")
