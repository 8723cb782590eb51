"""Sites, enrolments, measures with their operational definitions, observations and imports.

Observations are aggregates per measure, site, period and (optionally) stratum: there
are no patient-level records. Periods are stored as the first day of the period
(monthly: the 1st; weekly: the Monday; quarterly: the first day of the quarter).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization, User


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
    created_at = models.DateTimeField(auto_now_add=True, null=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_site_code"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="site_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CommunityDataPolicy(models.Model):
    """How one CoP handles its data: whether submitted data must be approved before
    sponsors see it, and who (besides conveners) is the designated data lead who may
    approve. Kept here because the Community model belongs to another app."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="data_policy"
    )
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_(
            "Submitted data reaches sponsors only once a convener or the data lead approves it."
        ),
    )
    data_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designated data lead"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    def __str__(self) -> str:
        return f"{self.community} data policy"


class SiteEnrolment(models.Model):
    """A site taking part in a CoP, in a wave (cohort). Later waves learn from earlier
    ones, so a later-wave site may name a mentor site. Data stewards of the CoP submit
    data for the sites enrolled in it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="site_enrolments"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="enrolments")
    wave = models.PositiveSmallIntegerField(_("wave"), default=1)
    enrolled_on = models.DateField(_("enrolled on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    mentor_site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_enrolments",
        verbose_name=_("mentor site"),
    )
    # The person who leads the site's improvement team in this CoP: they self-rate the
    # team's monthly progress (evaluation.ProgressRating).
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site team lead"),
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["wave", "site__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "site"], name="unique_site_enrolment"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("enrolled_on")),
                name="enrolment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(mentor_site=F("site")), name="enrolment_mentor_not_self"
            ),
            models.CheckConstraint(condition=Q(wave__gte=1), name="enrolment_wave_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.site} in {self.community} (wave {self.wave})"


class Stratifier(models.Model):
    """An equity-relevant variable (sex, age band, ethnicity, deprivation quintile...)
    shared across the organization's CoPs so breakdowns line up between them."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="stratifiers"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_stratifier_code")
        ]

    def __str__(self) -> str:
        return self.name


class StratifierCategory(models.Model):
    """One ordered category of a stratifier (e.g. quintile 1 .. 5): the order is the
    order of the breakdowns in tables and charts."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    stratifier = models.ForeignKey(Stratifier, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["stratifier", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stratifier", "code"], name="unique_stratifier_category_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stratifier}: {self.label}"


class Measure(models.Model):
    """A measure of a CoP with its operational definition, so that every site counts the
    same thing the same way. Regulated: its history is kept."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("Outcome")
        PROCESS = "process", _("Process")
        BALANCING = "balancing", _("Balancing")
        STRUCTURE = "structure", _("Structure")

    class ReAim(models.TextChoices):
        REACH = "reach", _("Reach")
        EFFECTIVENESS = "effectiveness", _("Effectiveness")
        ADOPTION = "adoption", _("Adoption")
        IMPLEMENTATION = "implementation", _("Implementation")
        MAINTENANCE = "maintenance", _("Maintenance")

    class ValueType(models.TextChoices):
        PROPORTION = "proportion", _("Proportion (numerator / denominator)")
        RATE = "rate", _("Rate (events per multiplier units)")
        COUNT = "count", _("Count")
        CONTINUOUS = "continuous", _("Continuous value")
        DAYS_BETWEEN = "days_between", _("Days between events")
        RARE_EVENTS = "rare_events", _("Rare events (the date of each event)")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")
        NEUTRAL = "neutral", _("Neither (watch for change)")

    class ChartType(models.TextChoices):
        RUN = "run", _("Run chart")
        P = "p", _("p chart")
        U = "u", _("u chart")
        C = "c", _("c chart")
        I = "i", _("I chart (XmR)")  # noqa: E741
        P_PRIME = "pp", _("Laney p' chart")
        U_PRIME = "up", _("Laney u' chart")
        # Drawn from the dates of a rare-events measure (one value per event): the
        # time between events, and the opportunities counted between them.
        T = "t", _("t chart")
        G = "g", _("g chart")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reaim_dimension = models.CharField(
        _("RE-AIM dimension"), max_length=16, choices=ReAim.choices, blank=True
    )
    numerator_definition = models.TextField(_("numerator"), blank=True)
    denominator_definition = models.TextField(_("denominator"), blank=True)
    inclusions = models.TextField(_("inclusions"), blank=True)
    exclusions = models.TextField(_("exclusions"), blank=True)
    data_source = models.TextField(_("data source"), blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    rate_multiplier = models.PositiveIntegerField(
        _("rate multiplier"),
        null=True,
        blank=True,
        help_text=_("For rates: e.g. 1000 for 'per 1,000 bed days'."),
    )
    rate_unit = models.CharField(
        _("rate unit"), max_length=60, blank=True, help_text=_("e.g. bed days")
    )
    opportunity_unit = models.CharField(
        _("opportunities counted between events"),
        max_length=60,
        blank=True,
        help_text=_(
            "For rare events: what is counted between one event and the next (e.g. "
            "procedures, patient-days), recorded with each event; it gives the g chart. "
            "Leave blank to record dates only (t chart)."
        ),
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    direction = models.CharField(
        _("direction of improvement"), max_length=8, choices=Direction.choices
    )
    goal = models.DecimalField(_("goal"), max_digits=18, decimal_places=6, null=True, blank=True)
    chart_type = models.CharField(_("default chart"), max_length=4, choices=ChartType.choices)
    replaced_chart_type = models.CharField(
        _("replaced default chart"),
        max_length=4,
        blank=True,
        help_text=_(
            "A default chart the SPC engine cannot draw for this measure's data, replaced "
            "by the platform; shown as a note until the measure is next saved."
        ),
    )
    stratifiers = models.ManyToManyField(
        Stratifier, blank=True, related_name="measures", verbose_name=_("equity stratifiers")
    )
    baseline_periods = models.PositiveSmallIntegerField(
        _("baseline periods"),
        null=True,
        blank=True,
        help_text=_("The first k periods form the baseline (centre line and limits)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()
    history = HistoricalRecords(excluded_fields=["organization"])
    # Who made the change, for simple-history when a service saves outside a request.
    _history_user: User | None

    class Meta:
        ordering = ["community", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="unique_measure_code"),
            models.CheckConstraint(
                condition=~Q(value_type="rate") | Q(rate_multiplier__isnull=False),
                name="measure_rate_has_multiplier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    @property
    def uses_ratio(self) -> bool:
        return self.value_type in (self.ValueType.PROPORTION, self.ValueType.RATE)

    @property
    def drawable_charts(self) -> tuple[str, ...]:
        return drawable_charts(self.value_type, counts_opportunities=bool(self.opportunity_unit))

    @property
    def is_rare_events(self) -> bool:
        return self.value_type == self.ValueType.RARE_EVENTS

    @property
    def chart_note(self) -> str:
        """The note left by the replacement of an undrawable default chart ("" if none)."""
        if not self.replaced_chart_type:
            return ""
        return replaced_chart_note(
            value_type=self.value_type, old=self.replaced_chart_type, new=self.chart_type
        )


#: The charts the SPC engine draws from each value type's data. A measure is never
#: offered a chart outside its list: the measure form and ``measure_save`` refuse
#: one, and the dashboards offer only these.
DRAWABLE_CHARTS: dict[str, tuple[str, ...]] = {
    Measure.ValueType.PROPORTION: ("run", "i", "p", "pp"),
    Measure.ValueType.RATE: ("run", "i", "u", "up"),
    Measure.ValueType.COUNT: ("run", "i", "c"),
    Measure.ValueType.CONTINUOUS: ("run", "i"),
    Measure.ValueType.DAYS_BETWEEN: ("run", "i"),
    # t and g from the event dates; run and c from the events counted per period.
    Measure.ValueType.RARE_EVENTS: ("t", "g", "run", "c"),
}
#: The control chart a measure of each value type gets when its chart must change.
NATURAL_CHART: dict[str, str] = {
    Measure.ValueType.PROPORTION: "p",
    Measure.ValueType.RATE: "u",
    Measure.ValueType.COUNT: "c",
    Measure.ValueType.CONTINUOUS: "i",
    Measure.ValueType.DAYS_BETWEEN: "i",
    Measure.ValueType.RARE_EVENTS: "t",
}
#: Charts drawn from single events rather than from the figures of a period.
EVENT_CHARTS = ("t", "g")


def drawable_charts(
    value_type: str | None, *, counts_opportunities: bool = True
) -> tuple[str, ...]:
    """The charts the engine can draw for a measure: its value type's list, without the
    g chart when the measure records no opportunities between events."""
    allowed = DRAWABLE_CHARTS.get(value_type or "", ("run", "i"))
    if not counts_opportunities:
        allowed = tuple(c for c in allowed if c != "g")
    return allowed


def chart_label(code: str) -> str:
    """A chart code's name, also for the subgroup charts offered on network charts."""
    labels = dict(Measure.ChartType.choices)
    labels.update(
        {"xbar": _("Xbar chart (mean of the sites)"), "s": _("S chart (spread of the sites)")}
    )
    return str(labels.get(code, code))


def chart_problem(
    value_type: str | None, chart_type: str | None, *, counts_opportunities: bool = True
) -> str:
    """Why ``chart_type`` cannot be a default chart for ``value_type`` data ("" if it can)."""
    if not value_type or not chart_type:
        return ""
    allowed = drawable_charts(value_type, counts_opportunities=counts_opportunities)
    if chart_type == "g" and "g" not in allowed and "g" in DRAWABLE_CHARTS.get(value_type, ()):
        return str(
            _(
                "A g chart counts the opportunities between events: fill in what is "
                "counted between events, or choose the t chart."
            )
        )
    if chart_type in allowed:
        return ""
    kinds = dict(Measure.ValueType.choices)
    message = _(
        "“%(chart)s” cannot be drawn from the data of a “%(value_type)s” measure. "
        "Choose one of: %(charts)s."
    )
    return str(message) % {
        "chart": chart_label(chart_type),
        "value_type": kinds.get(value_type, value_type),
        "charts": ", ".join(chart_label(code) for code in allowed),
    }


def replaced_chart_note(*, value_type: str, old: str, new: str) -> str:
    """The note shown on the measure and chart pages after a default chart was replaced."""
    kinds = dict(Measure.ValueType.choices)
    message = _(
        "The default chart of this measure was “%(old)s”, which the SPC engine cannot draw "
        "from the data of a “%(value_type)s” measure, so it was changed to “%(new)s”. A "
        "data steward can choose another chart by editing the measure."
    )
    return str(message) % {
        "old": chart_label(old),
        "new": chart_label(new),
        "value_type": kinds.get(value_type, value_type),
    }


class PhaseBreak(models.Model):
    """A new phase of a measure's chart from ``starts_on`` (a period) after a change was
    made; limits are recomputed per phase and the reason is shown on the chart."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phase_breaks")
    starts_on = models.DateField(_("new phase starts with period"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["measure", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts_on"], name="unique_phase_break")
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} from {self.starts_on}: {self.reason}"


def import_upload_to(instance: ImportBatch, filename: str) -> str:
    """A non-guessable storage name: the original name is kept on the batch only."""
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return f"measurement/imports/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


class ImportBatch(models.Model):
    """One upload (file or API call) of observations: the audit unit of bulk imports
    (checksum, who, when, counts) and the place where dry-run results and progress live.
    A committed file's checksum is unique per CoP, so a re-upload is recognised
    (API payloads may repeat: their rows are upserted idempotently)."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV file")
        XLSX = "xlsx", _("Excel file")
        API = "api", _("API")
        DHIS2 = "dhis2", _("DHIS2")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked: ready to import")
        INVALID = "invalid", _("Checked: has errors")
        QUEUED = "queued", _("Waiting to import")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")
        DUPLICATE = "duplicate", _("Already imported")

    class OnExisting(models.TextChoices):
        SKIP = "skip", _("Keep the existing values (skip those rows)")
        OVERWRITE = "overwrite", _("Replace the existing values")

    class Step(models.TextChoices):
        """The step a failed batch was at: it decides which action starts it again."""

        CHECK = "check", _("Check")
        IMPORT = "import", _("Import")

    class FailureReason(models.TextChoices):
        """Why a batch failed; the upload's page words its message from this."""

        ERROR = "error", _("An error")
        STOPPED = "stopped", _("The work stopped")
        NOT_STARTED = "not_started", _("The work did not start")
        EXPIRED = "expired", _("The check expired")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    file = models.FileField(upload_to=import_upload_to, blank=True, max_length=255)
    staged_file = models.CharField(max_length=255, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, db_index=True)
    encoding = models.CharField(max_length=16, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    on_existing = models.CharField(
        max_length=10, choices=OnExisting.choices, default=OnExisting.SKIP
    )
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    inserted_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    failed_step = models.CharField(max_length=8, choices=Step.choices, blank=True)
    failure_reason = models.CharField(max_length=12, choices=FailureReason.choices, blank=True)
    # The last sign of life of the work on this batch: stamped when it is queued, when a
    # check or import starts, and every few seconds while it runs (measurement.heartbeat).
    # A running batch whose stamp is too old was interrupted (services.import_recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "checksum"],
                condition=Q(status="committed") & ~Q(source="api"),
                name="unique_committed_file_checksum",
            )
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.original_name or self.source})"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES


# Waiting for a worker to start the check or the import.
WAITING_STATUSES = (ImportBatch.Status.UPLOADED, ImportBatch.Status.QUEUED)
# A worker is checking or importing (it stamps ``heartbeat_at`` while it works).
WORKING_STATUSES = (ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING)
RUNNING_STATUSES = WAITING_STATUSES + WORKING_STATUSES


class Observation(models.Model):
    """One aggregate value of a measure at a site for a period and, for equity
    breakdowns, a stratum (a stratifier category); the total has no category.

    Uniqueness: one row per (measure, site, period, category) with the total's NULL
    category counted as equal (``nulls_distinct=False``, i.e. PostgreSQL 15's
    ``UNIQUE NULLS NOT DISTINCT``), so one constraint covers totals and strata and
    the bulk import's ``ON CONFLICT`` can target it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for correction")

    # No single-column indexes on these three: the unique constraint (measure, ...), the
    # (site, period) and (organization, status) indexes already serve those look-ups, and
    # each index slows every bulk insert.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    period = models.DateField(_("period"))
    category = models.ForeignKey(
        StratifierCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observations",
    )
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["measure", "site", "period", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "site", "period", "category"],
                nulls_distinct=False,
                name="unique_observation",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0),
                name="observation_numerator_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="observation_denominator_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["site", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.site_id}/{self.period}"
