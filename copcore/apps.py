from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CopcoreConfig(AppConfig):
    name = "copcore"
    verbose_name = _("Core")
