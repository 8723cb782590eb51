from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """What the data shows: charts, site comparison, equity breakdowns with disclosure
    control, the RE-AIM one-pager, vitality and sponsor views."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # The data pages of the measurement app disclose observations exactly as the
        # dashboards do; measurement never imports dashboards, so they are handed over.
        from dashboards.selectors import observations
        from measurement import disclosers

        disclosers.register(
            for_community=observations.ObservationDiscloser,
            for_organization=observations.OrganizationDiscloser,
        )
