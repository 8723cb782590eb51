from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """Meetings. Labelled ``cop_sessions`` because django.contrib.sessions owns ``sessions``."""

    name = "sessions"
    label = "cop_sessions"
    verbose_name = _("Sessions")
