"""Import profiles: how one CoP reads files written with other people's names.

A ministry's export calls its columns ``Indicador``, ``Establecimiento``, ``Mes`` and
its codes ``abx60`` or ``HSC``; the CoP calls them ``measure_code``, ``site_code``,
``period``, ``bundle`` and ``eastfield``. The data steward says once, on the check page,
which is which; the profile keeps it and every later file of the CoP is read through it
(shown on the check page, and editable there). Nothing is renamed in the CoP.

A code with nothing to map to (a site or measure the CoP does not have yet) is asked
for: an ``ImportCodeRequest`` waits in the "what needs you now" of those who may create
measures, since a steward may not.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization, User

from .core import ImportBatch


class ImportProfile(models.Model):
    """The CoP's mappings from a file's own column names and codes to its own.

    Keys are the file's names as ``measurement.import_profiles.key`` folds them (case,
    accents and spaces do not matter); values are the layout's column names and the
    CoP's own codes, so a profile reads as plain data and survives a re-import."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="import_profile"
    )
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    measures = models.JSONField(_("measures"), default=dict, blank=True)
    sites = models.JSONField(_("sites"), default=dict, blank=True)
    # "their stratifier|their category" -> "our stratifier|our category"
    categories = models.JSONField(_("categories"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    def __str__(self) -> str:
        return f"import profile of {self.community_id}"

    @property
    def is_empty(self) -> bool:
        return not (self.columns or self.measures or self.sites or self.categories)


class ImportCodeRequest(models.Model):
    """A steward's request for a site or measure the CoP does not have, raised from a
    file's unknown code; those who may create it see it in "what needs you now"."""

    class Kind(models.TextChoices):
        MEASURE = "measure", _("Measure")
        SITE = "site", _("Site")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="import_code_requests"
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code in the file"), max_length=100)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "code"],
                condition=Q(status="open"),
                name="one_open_import_code_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"
