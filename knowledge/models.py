"""Knowledge assets and their immutable versions, stored files, field notes and the
intake/curation workflow, and PDSA tests of change with their templates."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Community, Tag
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class Visibility(models.TextChoices):
    COMMUNITY = "community", _("Community members only")
    ORGANIZATION = "organization", _("Everyone in the organization")
    PUBLIC = "public", _("Public (readable without logging in)")


class AssetStatus(models.TextChoices):
    """Where an asset stands in curation; only published assets reach readers."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for curation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    DECLINED = "declined", _("Declined")
    PUBLISHED = "published", _("Published")


class NoteStatus(models.TextChoices):
    """Where a field note stands in intake; a posted note is already visible to the CoP."""

    POSTED = "posted", _("Posted")
    SUBMITTED = "submitted", _("Waiting for curation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    DECLINED = "declined", _("Declined")
    PROMOTED = "promoted", _("Promoted to an asset")


class StoredFile(models.Model):
    """An uploaded file that passed the upload rules (knowledge/uploads.py). Stored under
    a random name so its URL cannot be guessed, and only ever served by a view that
    checks the reader may see the asset version or field note it belongs to. The text
    extracted from PDFs and Word files feeds full-text search."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("file"), upload_to="knowledge/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    extracted_text = models.TextField(blank=True)
    text_extracted = models.BooleanField(default=False)
    field_note = models.ForeignKey(
        "FieldNote", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Asset(models.Model):
    """A reusable piece of the CoP's practice (change package, checklist, video...).
    Its content lives in immutable versions; this row holds what describes it (title,
    owners, tags, visibility, curation status) and the search document of its current
    version, kept up to date by the services."""

    class Kind(models.TextChoices):
        CHANGE_PACKAGE = "change_package", _("Change package")
        CHECKLIST = "checklist", _("Checklist")
        PROTOCOL = "protocol", _("Protocol")
        TEMPLATE = "template", _("Template")
        TOOLKIT = "toolkit", _("Toolkit")
        VIDEO = "video", _("Video")
        CASE_STUDY = "case_study", _("Case study")
        LESSON_LEARNED = "lesson_learned", _("Lesson learned")
        POST_ACTION_REVIEW = "post_action_review", _("Post-action review")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("community"),
        help_text=_("Leave empty for an organization-wide asset."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_assets",
        verbose_name=_("owner"),
    )
    co_owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_owned_assets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="assets")
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.COMMUNITY
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.DRAFT
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    current_version = models.ForeignKey(
        "AssetVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_field_note = models.ForeignKey(
        "FieldNote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoted_assets",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    curation_note = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The searchable text of the current version (Markdown body plus text extracted
    # from its file), kept so that snippets can be highlighted without joins.
    search_body = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = OrganizationScopedManager()
    history = HistoricalRecords(excluded_fields=["search_vector", "search_body"])

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="knowledge_asset_search_gin"),
            models.Index(fields=["organization", "status", "-updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="community") | Q(community__isnull=False),
                name="community_visibility_needs_community",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AssetVersion(models.Model):
    """One immutable state of an asset's content: Markdown, a file, or a link (videos).
    Never updated (a database trigger refuses UPDATE); restoring an old version writes
    a new one. ``sha256`` fingerprints the content so identical saves are refused."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(_("text (Markdown)"), blank=True)
    file = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="versions"
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "number"], name="unique_asset_version")
        ]

    def __str__(self) -> str:
        return f"{self.asset} v{self.number}"


class ChangePackageItem(models.Model):
    """One change idea of a change package, in order, optionally linked to the asset that
    shows how to do it (a checklist, a protocol...)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="package_items")
    position = models.PositiveIntegerField()
    change_idea = models.CharField(_("change idea"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    linked_asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="used_in_packages",
        verbose_name=_("linked asset"),
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["package", "position"]

    def __str__(self) -> str:
        return self.change_idea


class FieldNote(models.Model):
    """A member's quick note from the field: what they saw or tried. Notes are the
    intake of the repository; the best are submitted and promoted to assets."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="field_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_notes"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("note"))
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="field_notes")
    status = models.CharField(
        _("status"), max_length=20, choices=NoteStatus.choices, default=NoteStatus.POSTED
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    curation_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "submitted_at"])]

    def __str__(self) -> str:
        return self.title


class PredictionHeld(models.TextChoices):
    YES = "yes", _("Yes, as predicted")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No, the results contradicted the prediction")


class ActDecision(models.TextChoices):
    ADOPT = "adopt", _("Adopt")
    ADAPT = "adapt", _("Adapt")
    ABANDON = "abandon", _("Abandon")


class TestStatus(models.TextChoices):
    __test__ = False  # not a pytest test class despite its name

    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    STUDYING = "studying", _("Studying")
    DONE = "done", _("Done")


# The plan wording a template pre-fills, and every field of a test a form, the API
# or a service may set (besides its relations): one list for all of them.
TEMPLATE_FIELDS = (
    "change_idea",
    "objective",
    "question",
    "prediction",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "plan_data",
)
TEST_TEXT_FIELDS = (
    "title",
    *TEMPLATE_FIELDS,
    "do_what_happened",
    "do_observations",
    "study_results",
    "prediction_held",
    "act_decision",
    "act_notes",
    "status",
    "starts_on",
    "ends_on",
)


class PdsaStage(models.TextChoices):
    """The four stages of a cycle, each saved on its own page as the cycle runs."""

    PLAN = "plan", _("Plan")
    DO = "do", _("Do")
    STUDY = "study", _("Study")
    ACT = "act", _("Act")


# What each stage's page writes; the status follows the stages (services.pdsa).
PDSA_STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    PdsaStage.PLAN: (
        "title",
        *TEMPLATE_FIELDS,
        "starts_on",
        "site",
        "measures",
        "tags",
    ),
    PdsaStage.DO: ("do_what_happened", "do_observations", "ends_on"),
    PdsaStage.STUDY: ("study_results", "prediction_held"),
    PdsaStage.ACT: ("act_decision", "act_notes"),
}


class TestOfChange(models.Model):
    """A PDSA cycle (Model for Improvement): plan, do, study, act. A cycle may start
    the next one from itself, so a ramp of tests reads as a chain. Whether the
    prediction held is recorded explicitly, because failed tests teach as much as
    successes and must be just as easy to find."""

    # Set by ``selectors.test_chain`` on the tests it returns: cycles from the first one.
    cycle_depth: int

    __test__ = False  # not a pytest test class despite its name

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="tests_of_change"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tests_of_change"
    )
    title = models.CharField(_("title"), max_length=200)
    change_idea = models.TextField(_("change idea"))
    objective = models.TextField(_("objective"), blank=True)
    question = models.TextField(_("question"), blank=True)
    prediction = models.TextField(_("prediction"), blank=True)
    plan_who = models.TextField(_("who"), blank=True)
    plan_what = models.TextField(_("what"), blank=True)
    plan_when = models.TextField(_("when"), blank=True)
    plan_where = models.TextField(_("where"), blank=True)
    plan_data = models.TextField(_("data to collect"), blank=True)
    do_what_happened = models.TextField(_("what happened"), blank=True)
    do_observations = models.TextField(_("observations"), blank=True)
    study_results = models.TextField(_("results against the prediction"), blank=True)
    prediction_held = models.CharField(
        _("did the prediction hold?"), max_length=8, choices=PredictionHeld.choices, blank=True
    )
    act_decision = models.CharField(
        _("act: decision"), max_length=8, choices=ActDecision.choices, blank=True
    )
    act_notes = models.TextField(_("act: what next"), blank=True)
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tests_of_change")
    measures = models.ManyToManyField(
        "measurement.Measure",
        blank=True,
        related_name="tests_of_change",
        verbose_name=_("measures"),
        help_text=_("The measures this test should move; it is marked on their charts."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TestStatus.choices, default=TestStatus.PLANNED
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    previous_cycle = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_cycles",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("test of change")
        verbose_name_plural = _("tests of change")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="test_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def do_recorded(self) -> bool:
        """Whether the Do stage has been written: studying needs something to study."""
        return bool(self.do_what_happened.strip() or self.do_observations.strip())

    @property
    def study_recorded(self) -> bool:
        return bool(self.study_results.strip() or self.prediction_held)


class TestTemplate(models.Model):
    """Pre-filled wording for a kind of test, so posting a test takes a minute.
    Community templates are offered in that CoP; organization-wide ones everywhere."""

    __test__ = False

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("template name"), max_length=120)
    change_idea = models.TextField(_("change idea"), blank=True)
    objective = models.TextField(_("objective"), blank=True)
    question = models.TextField(_("question"), blank=True)
    prediction = models.TextField(_("prediction"), blank=True)
    plan_who = models.TextField(_("who"), blank=True)
    plan_what = models.TextField(_("what"), blank=True)
    plan_when = models.TextField(_("when"), blank=True)
    plan_where = models.TextField(_("where"), blank=True)
    plan_data = models.TextField(_("data to collect"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The one search index lives in knowledge/search/models.py (imported here so Django
# registers it with this app).
from knowledge.search.models import Audience, SearchDocument, SearchTerm  # noqa: E402, F401
