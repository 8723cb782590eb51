from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Implementation-science tools (CFIR 2.0, ERIC, NPT/NoMAD), assessment surveys and the
    conclusion phase's results record: the evidence a CoP gathers about itself."""

    name = "evaluation"
    verbose_name = _("Evaluation")
