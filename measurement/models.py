"""Sites, measures and observations."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from copcore.models import Organization


class Site(models.Model):
    """A place that delivers care and reports data (hospital, clinic, team...). Sites
    belong to the organization and nest (country > region > facility) through ``parent``."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        CLINIC = "clinic", _("Clinic")
        TEAM = "team", _("Team")
        COMMUNITY_SERVICE = "community_service", _("Community service")
        REGION = "region", _("Region")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_site_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
