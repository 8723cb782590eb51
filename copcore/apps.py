from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CopcoreConfig(AppConfig):
    name = "copcore"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Signal receivers of the second-factor rule (sign-in, authenticator added).
        from copcore.sso import enforcement  # noqa: F401
