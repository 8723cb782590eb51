"""Models of the dashboards: disclosure rules, remembered chart settings, chart notes,
the RE-AIM inputs that no measure records (eligible population, invitations, staff,
costs), the status of a CoP's expected results, and the data version that keys the
dashboard cache.

They were created by the measurement app (its migration 0004) and moved here with
their tables as they were: each keeps its ``measurement_*`` table name
(``Meta.db_table``), so an existing database keeps its rows, constraints and the
triggers that change :class:`DashboardDataVersion` (see
``dashboards/migrations/0001_initial.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization

__all__ = [
    "ChartNote",
    "CostRecord",
    "DashboardDataVersion",
    "DisclosureRule",
    "ExpectedResultReview",
    "MeasureChartPreference",
    "ReachShare",
    "ReAimProfile",
]


class DisclosureRule(models.Model):
    """How small counts are hidden from everyone who is not a data steward of a CoP.

    One rule per organization, because it is usually set by the network's information
    governance, not per CoP. Without a row the safe default applies (counts 1 to 7
    shown as "*", others rounded to the nearest 5, secondary suppression on)."""

    class Mode(models.TextChoices):
        ROUND = "round", _("Hide small counts and round the others")
        THRESHOLD = "threshold", _("Hide counts below a threshold, show the others exactly")

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="disclosure_rule"
    )
    mode = models.CharField(_("rule"), max_length=12, choices=Mode.choices, default=Mode.ROUND)
    small_max = models.PositiveIntegerField(
        _("largest hidden count"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Counts from 1 up to this number are shown as '*'. For 'suppress below 10' enter 9."
        ),
    )
    rounding_base = models.PositiveIntegerField(
        _("round other counts to the nearest"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("Used by the rounding rule only."),
    )
    hide_zero = models.BooleanField(
        _("hide zeros too"),
        default=False,
        help_text=_("Zeros are usually shown; hide them where a zero itself discloses."),
    )
    secondary_suppression = models.BooleanField(
        _("secondary suppression"),
        default=True,
        help_text=_(
            "Also hide the smallest other figure wherever a hidden one could be worked out "
            "from a total and the other figures."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_disclosurerule"

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_mode_display()}"


class MeasureChartPreference(models.Model):
    """The chart type and runs rules a person last chose for a measure, so the page
    opens the way they left it (the measure's own default applies otherwise)."""

    class Method(models.TextChoices):
        ANHOEJ = "anhoej", _("Anhoej rules")
        IHI = "ihi", _("IHI run chart rules")
        MDC = "mdc", _("Making Data Count")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(
        "measurement.Measure", on_delete=models.CASCADE, related_name="chart_preferences"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    chart_type = models.CharField(_("chart"), max_length=4)
    method = models.CharField(_("rules"), max_length=8, choices=Method.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_measurechartpreference"
        constraints = [
            models.UniqueConstraint(fields=["measure", "user"], name="unique_chart_preference")
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.user_id}: {self.chart_type} {self.method}"


class ChartNote(models.Model):
    """A member's note on a measure's chart at a period ("new triage nurse started"),
    shown as an annotation beside the PDSA tests so the story sits next to the data."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(
        "measurement.Measure", on_delete=models.CASCADE, related_name="chart_notes"
    )
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    period = models.DateField(_("date"))
    text = models.CharField(_("note"), max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_chartnote"
        ordering = ["measure", "period", "id"]

    def __str__(self) -> str:
        return f"{self.period}: {self.text[:60]}"


class ReAimProfile(models.Model):
    """The RE-AIM figures no measure records: the eligible population (Reach's real
    denominator), sites invited and staff (Adoption). Entered by the CoP's data
    stewards; a blank figure is reported as missing, never guessed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="reaim_profile"
    )
    eligible_population = models.PositiveIntegerField(
        _("eligible population"), null=True, blank=True
    )
    eligible_description = models.CharField(_("who is eligible"), max_length=300, blank=True)
    participants_reached = models.PositiveIntegerField(
        _("participants reached"),
        null=True,
        blank=True,
        help_text=_("Leave blank to count them from the Reach measures."),
    )
    sites_invited = models.PositiveIntegerField(_("sites invited"), null=True, blank=True)
    staff_eligible = models.PositiveIntegerField(
        _("staff who could take part"), null=True, blank=True
    )
    staff_participating = models.PositiveIntegerField(_("staff taking part"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_reaimprofile"
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_participating__isnull=True)
                | Q(staff_eligible__isnull=True)
                | Q(staff_participating__lte=models.F("staff_eligible")),
                name="reaim_staff_within_eligible",
            )
        ]

    def __str__(self) -> str:
        return f"RE-AIM inputs of {self.community}"


class ReachShare(models.Model):
    """How many of the eligible population fall in one stratifier category, so Reach
    can say whether those reached look like those eligible (representativeness)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "measurement.StratifierCategory", on_delete=models.CASCADE, related_name="+"
    )
    eligible_count = models.PositiveIntegerField(_("eligible people in this group"))

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_reachshare"
        constraints = [
            models.UniqueConstraint(fields=["community", "category"], name="unique_reach_share")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.eligible_count}"


class CostRecord(models.Model):
    """A recorded cost of implementing the CoP's changes (staff time, training,
    equipment), for the whole CoP or one site: Implementation's cost per site."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site (blank: the whole CoP)"),
    )
    incurred_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    description = models.CharField(_("what it paid for"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_costrecord"
        ordering = ["-incurred_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.incurred_on} {self.amount} {self.currency}: {self.description[:40]}"


class ExpectedResultReview(models.Model):
    """Where one of a CoP's expected results stands, for sponsors. Keyed by the
    result's position because the design wizard rewrites the results as a set."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_expectedresultreview"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "position"], name="unique_expected_result_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} result {self.position}: {self.status}"


class DashboardDataVersion(models.Model):
    """A token that changes whenever anything a dashboard reads changes in the
    organization. Database triggers (migration 0004 onwards) set it on every
    statement that writes observations, measures, sites, enrolments, phase breaks,
    data policies or the dashboards' own tables -- imports by COPY and queryset
    updates included -- so cached dashboards are never stale and no service has to
    remember to invalidate them."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    token = models.CharField(max_length=64)
    changed_at = models.DateTimeField()

    objects = OrganizationScopedManager()

    class Meta:
        db_table = "measurement_dashboarddataversion"

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.token}"
