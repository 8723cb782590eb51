"""Rare events: the date of each event of a rare-events measure (a fall, an infection, a
never event) at a site, from which the platform derives the days between events (t chart)
and, where the measure counts opportunities, the cases between events (g chart).

Rates of rare events make useless p and u charts (most periods count 0), so these
measures keep one row per event. A row holds the date, the site, an optional category
(e.g. "hospital-onset") and the opportunities counted since the previous event; never
anything about the person. The events counted per period are kept as the measure's
observations (``services.rare_events``), so dashboards, approval, disclosure control,
digests and exports treat the measure like any count measure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization

from .core import ImportBatch, Measure, Site


class RareEvent(models.Model):
    """One event of a rare-events measure at a site, on a day."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="rare_events")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rare_events")
    occurred_on = models.DateField(_("date of the event"))
    category = models.CharField(
        _("category"),
        max_length=80,
        blank=True,
        help_text=_("Optional, e.g. hospital-onset. Never anything about the person."),
    )
    opportunities = models.DecimalField(
        _("opportunities since the previous event"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="rare_events"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["measure", "site", "occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opportunities__isnull=True) | Q(opportunities__gte=0),
                name="rare_event_opportunities_not_negative",
            )
        ]
        indexes = [models.Index(fields=["measure", "site", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.site_id}/{self.occurred_on}"
