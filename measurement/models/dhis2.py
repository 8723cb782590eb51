"""The DHIS2 connector: an organization's connection to its DHIS2 server, the mappings
that say which DHIS2 identifiers are which of a CoP's measures, sites and strata, and
the record of each pull and push.

A pull is not written here: it becomes an ``ImportBatch`` of source "DHIS2" and goes
through the file import's check, preview, skip-or-overwrite and approval
(``measurement.dhis2.services``). The credential is stored encrypted
(``copcore.crypto``) and never shown again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization

from .core import ImportBatch, Measure, Site, StratifierCategory


class Dhis2Connection(models.Model):
    """How an organization reaches its DHIS2 server: one per organization, set by its
    admins. ``secret`` holds the encrypted token or password; pages say only whether
    one is set."""

    class Auth(models.TextChoices):
        TOKEN = "token", _("Personal access token")
        BASIC = "basic", _("User name and password")

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="dhis2_connection"
    )
    base_url = models.URLField(_("server address"), max_length=300)
    auth = models.CharField(
        _("authentication"), max_length=8, choices=Auth.choices, default=Auth.TOKEN
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    secret = models.TextField(blank=True)  # encrypted: copcore.crypto
    push_enabled = models.BooleanField(
        _("allow sending approved data to the server"), default=False
    )
    tested_at = models.DateTimeField(null=True, blank=True)
    test_ok = models.BooleanField(default=False)
    server_version = models.CharField(max_length=60, blank=True)
    server_user = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    def __str__(self) -> str:
        return self.base_url


class Dhis2Mapping(models.Model):
    """Which DHIS2 data a CoP takes, and how often: the pull's schedule, the optional
    approval level, and (in its items) the identifiers of measures, sites and strata."""

    class Schedule(models.TextChoices):
        MANUAL = "manual", _("Only when asked")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="dhis2_mapping"
    )
    schedule = models.CharField(
        _("schedule"), max_length=8, choices=Schedule.choices, default=Schedule.MANUAL
    )
    approval_level = models.CharField(
        _("approval level"),
        max_length=40,
        blank=True,
        help_text=_(
            "Only data approved at this DHIS2 approval level (its identifier) are taken. "
            "Leave empty to take all data."
        ),
    )
    data_set = models.CharField(
        _("data set"),
        max_length=50,
        blank=True,
        help_text=_("The DHIS2 data set (identifier) named in ADX files and data sent back."),
    )
    lookback_periods = models.PositiveSmallIntegerField(
        _("periods to look back"),
        default=12,
        help_text=_("How many past periods each pull asks the server for."),
    )
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    next_pull_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    def __str__(self) -> str:
        return f"DHIS2 mapping of {self.community}"


class Dhis2SiteMap(models.Model):
    """A DHIS2 organisation unit (by UID or code) that is one of the organization's sites."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mapping = models.ForeignKey(Dhis2Mapping, on_delete=models.CASCADE, related_name="sites")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    org_unit = models.CharField(_("organisation unit"), max_length=50)
    org_unit_name = models.CharField(max_length=230, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["site__name"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "site"], name="dhis2_site_once"),
            models.UniqueConstraint(fields=["mapping", "org_unit"], name="dhis2_org_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} -> {self.site_id}"


class Dhis2MeasureMap(models.Model):
    """Where a measure's figures come from: either one DHIS2 indicator (its numerator
    and denominator come with it, ``includeNumDen``) or data elements / indicators for
    the numerator, the denominator and the value separately."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mapping = models.ForeignKey(Dhis2Mapping, on_delete=models.CASCADE, related_name="measures")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(
        _("indicator (with numerator and denominator)"), max_length=50, blank=True
    )
    numerator_item = models.CharField(_("numerator from"), max_length=50, blank=True)
    denominator_item = models.CharField(_("denominator from"), max_length=50, blank=True)
    value_item = models.CharField(_("value from"), max_length=50, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "measure"], name="dhis2_measure_once"),
            models.CheckConstraint(
                condition=~Q(indicator="")
                | ~Q(numerator_item="")
                | ~Q(denominator_item="")
                | ~Q(value_item=""),
                name="dhis2_measure_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} <- {self.indicator or self.value_item or self.numerator_item}"


class Dhis2CategoryMap(models.Model):
    """A DHIS2 category option combo that is one stratifier category (a stratum)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mapping = models.ForeignKey(Dhis2Mapping, on_delete=models.CASCADE, related_name="categories")
    option_combo = models.CharField(_("category option combo"), max_length=50)
    category = models.ForeignKey(StratifierCategory, on_delete=models.CASCADE, related_name="+")

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["option_combo"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "option_combo"], name="dhis2_combo_once"),
        ]

    def __str__(self) -> str:
        return f"{self.option_combo} -> {self.category_id}"


class Dhis2Pull(models.Model):
    """One pull from the server: what was asked, what came back, and the import batch
    it became (none when nothing was new or changed, or when it failed)."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        NOTHING_NEW = "nothing_new", _("Nothing new")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Asked for")
        SCHEDULE = "schedule", _("Scheduled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mapping = models.ForeignKey(Dhis2Mapping, on_delete=models.CASCADE, related_name="pulls")
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    periods = models.JSONField(default=list)
    received_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    changed_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"DHIS2 pull #{self.pk}"
