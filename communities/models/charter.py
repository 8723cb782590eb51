"""The charter: a free draft and immutable numbered versions with acknowledgements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models.community import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization

CHARTER_SECTIONS: list[tuple[str, str]] = [
    ("purpose", _("Purpose and shared outcome")),
    ("definitions", _("Definitions")),
    ("data_sources", _("Data sources")),
    ("practice_standards", _("Minimum practice standards")),
    ("decision_rights", _("Decision rights")),
    ("conflict_resolution", _("Conflict resolution")),
    ("norms", _("Norms")),
    ("meeting_rhythm", _("Meeting rhythm")),
    ("privacy_consent", _("Privacy and consent")),
]


class CharterSections(models.Model):
    """The nine sections of the light charter (seed 000), shared by draft and versions."""

    purpose = models.TextField(_("purpose and shared outcome"), blank=True)
    definitions = models.TextField(_("definitions"), blank=True)
    data_sources = models.TextField(_("data sources"), blank=True)
    practice_standards = models.TextField(_("minimum practice standards"), blank=True)
    decision_rights = models.TextField(_("decision rights"), blank=True)
    conflict_resolution = models.TextField(_("conflict resolution"), blank=True)
    norms = models.TextField(_("norms"), blank=True)
    meeting_rhythm = models.TextField(_("meeting rhythm"), blank=True)
    privacy_consent = models.TextField(_("privacy and consent"), blank=True)

    class Meta:
        abstract = True

    def sections(self) -> list[tuple[str, str, str]]:
        """(key, label, text) for each section, in charter order."""
        return [(key, label, getattr(self, key)) for key, label in CHARTER_SECTIONS]


class CharterDraft(CharterSections):
    """The editable charter of a CoP; edited freely, history kept. Publishing copies it
    into an immutable numbered ``CharterVersion``."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="charter_draft"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Charter draft of {self.community}"


class CharterVersion(CharterSections):
    """A published charter: numbered 1, 2, ... per CoP and never changed afterwards (no
    service updates it), so members acknowledge exactly what they read."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="charter_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"], name="unique_charter_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} charter v{self.number}"


class CharterAcknowledgement(models.Model):
    """A member's statement that they have read one charter version."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        CharterVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["version", "acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="unique_charter_ack")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"
