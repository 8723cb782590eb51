from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Weekly digests and reminders, delivered by Celery with per-person preferences."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications.beat import register

        register()  # the hourly tick in Celery beat's schedule
