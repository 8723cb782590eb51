"""Models of the evaluation app: implementation-science reference data (CFIR 2.0, ERIC),
CFIR assessment rounds and the barrier -> strategy -> test -> measure chain, surveys
(the builder, NoMAD rounds, the final satisfaction survey) and the conclusion phase
(expected-result statuses, the review, the results record and communication outputs).

Reference data (``Cfir*``, ``Eric*``) is shared by every organization and read-only:
it is written once by a data migration, so it carries no organization. Its names and
definitions are stored in English (the published labels); ``label`` and ``description``
give them in the active language. Everything else is tenant-owned and scoped.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from copcore.managers import OrganizationScopedManager
from copcore.models import Organization

# --------------------------------------------------------------------------- reference


def _translated(text: str) -> str:
    """A reference name or definition in the active language. They are stored in English
    and marked for the catalogs in ``evaluation/reference_messages.py``; gettext("")
    would answer the catalog's header, so empty stays empty."""
    return gettext(text) if text else ""


class CfirDomain(models.Model):
    """One of the five CFIR 2.0 domains (Damschroder et al., Implement Sci 2022;17:75).
    Reference data shared by all organizations; written by migration 0002."""

    number = models.PositiveSmallIntegerField(unique=True)  # I..V as 1..5
    roman = models.CharField(max_length=4)
    name = models.CharField(max_length=80)
    definition = models.TextField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.roman}. {self.label}"

    @property
    def label(self) -> str:
        return _translated(self.name)

    @property
    def description(self) -> str:
        return _translated(self.definition)


class CfirConstruct(models.Model):
    """A CFIR 2.0 construct, or a sub-construct when ``parent`` is set (e.g. Culture ->
    Human equality-centredness). Sub-constructs can be rated on their own, so both are
    rows of one table. ``subdomain`` holds the Individuals domain's split into roles and
    characteristics. ``code`` follows the paper's lettering (``III.D.1``)."""

    class Subdomain(models.TextChoices):
        ROLES = "roles", _("Roles")
        CHARACTERISTICS = "characteristics", _("Characteristics")

    domain = models.ForeignKey(CfirDomain, on_delete=models.PROTECT, related_name="constructs")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    subdomain = models.CharField(max_length=20, choices=Subdomain.choices, blank=True)
    definition = models.TextField()
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return _translated(self.name)

    @property
    def description(self) -> str:
        return _translated(self.definition)

    @property
    def is_subconstruct(self) -> bool:
        return self.parent_id is not None


class EricCluster(models.Model):
    """One of the nine clusters of ERIC strategies (Waltz et al., Implement Sci
    2015;10:109). Reference data."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _translated(self.name)


class EricStrategy(models.Model):
    """One of the 73 ERIC implementation strategies (Powell et al., Implement Sci
    2015;10:21), in exactly one cluster. Reference data."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=160, unique=True)
    definition = models.TextField()
    cluster = models.ForeignKey(EricCluster, on_delete=models.PROTECT, related_name="strategies")

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _translated(self.name)

    @property
    def description(self) -> str:
        return _translated(self.definition)


# --------------------------------------------------------------------------- CFIR rounds


class CfirRound(models.Model):
    """One CFIR assessment of a CoP: every enrolled site may be rated in it. Rounds are
    repeated (e.g. at start, mid-way, at the end) so change can be read between them."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="cfir_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"), default=timezone.localdate)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CfirRating(models.Model):
    """A construct's rating at one site in one round: -2..+2 (the sign says barrier or
    facilitator, 2 = strong, 0 = neutral or mixed) or missing (``None``: not assessed),
    with the evidence behind it. A negative rating is a barrier and can be addressed
    with ERIC strategies."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(CfirRound, on_delete=models.CASCADE, related_name="ratings")
    site = models.ForeignKey("measurement.Site", on_delete=models.PROTECT, related_name="+")
    construct = models.ForeignKey(CfirConstruct, on_delete=models.PROTECT, related_name="+")
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["round", "site", "construct__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "site", "construct"], name="unique_cfir_rating"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=-2, rating__lte=2),
                name="cfir_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.construct.code} @ {self.site}: {self.rating}"

    @property
    def is_barrier(self) -> bool:
        return self.rating is not None and self.rating < 0


class StrategyChoice(models.Model):
    """An ERIC strategy chosen to address one barrier (a negative CFIR rating), tried
    through PDSA tests of change and watched on measures: the links that make the
    follow-through view possible."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="strategy_choices"
    )
    barrier = models.ForeignKey(CfirRating, on_delete=models.CASCADE, related_name="strategies")
    strategy = models.ForeignKey(EricStrategy, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(_("why this strategy"), blank=True)
    tests = models.ManyToManyField(
        "knowledge.TestOfChange", blank=True, related_name="strategy_choices"
    )
    measures = models.ManyToManyField(
        "measurement.Measure", blank=True, related_name="strategy_choices"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["barrier", "strategy__number"]
        constraints = [
            models.UniqueConstraint(fields=["barrier", "strategy"], name="unique_strategy_choice")
        ]

    def __str__(self) -> str:
        return f"{self.strategy} for {self.barrier_id}"


# --------------------------------------------------------------------------- surveys


class Survey(models.Model):
    """A questionnaire sent to a CoP's members: a periodic assessment, the final
    satisfaction survey, or a NoMAD round (whose questions come from the item bank in
    ``evaluation.nomad``). Anonymous or named as the convener chooses; the choice is
    fixed once the survey opens."""

    class Purpose(models.TextChoices):
        PERIODIC = "periodic", _("Periodic assessment")
        FINAL = "final", _("Final satisfaction survey")
        NOMAD = "nomad", _("NoMAD appraisal round")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Answers cannot be linked to the person who gave them."),
    )
    asks_site = models.BooleanField(
        _("ask for the respondent's site"),
        default=True,
        help_text=_("Results are then also shown per site (small counts are suppressed)."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    opened_at = models.DateField(null=True, blank=True)
    closed_at = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def closing_date_passed(self) -> bool:
        """Answers are taken up to and including ``closes_on``; the day after, the survey
        is closed for answers even if nobody has pressed "Close" yet."""
        return self.closes_on is not None and timezone.localdate() > self.closes_on

    @property
    def accepts_answers(self) -> bool:
        """What a member needs to know before filling the survey in: open and not past
        its closing date."""
        return self.is_open and not self.closing_date_passed


class Question(models.Model):
    """A question of a survey. ``code`` names NoMAD items (``G1``, ``C1`` ...) so results
    can be grouped by NPT construct; ``objective`` and ``expected_result`` tie a question
    to what the CoP promised, so results can be read against them."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale")
        AGREEMENT = "agreement", _("Five-point agreement")
        TEXT = "text", _("Free text")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("question"))
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    options = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=80, blank=True)
    scale_max_label = models.CharField(max_length=80, blank=True)
    allows_not_relevant = models.BooleanField(default=False)
    code = models.CharField(max_length=8, blank=True)
    objective = models.CharField(_("objective"), max_length=32, blank=True)
    expected_result = models.ForeignKey(
        "communities.ExpectedResult",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("expected result"),
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="question_scale_order"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class NotRelevant(models.TextChoices):
    """The NoMAD 'not relevant' options, offered beside the agreement scale."""

    ROLE = "role", _("Not relevant to my role")
    STAGE = "stage", _("Not relevant at this stage")
    PRACTICE = "practice", _("Not relevant to this practice")


class Response(models.Model):
    """One person's set of answers. For anonymous surveys ``respondent`` is empty and
    nothing here can lead back to the person: a random id (no order), no timestamp, and
    no link to ``SurveyRespondent`` (which only records who has answered, by date)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    site = models.ForeignKey(
        "measurement.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Named surveys only; always empty for anonymous ones.",
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["survey", "id"]

    def __str__(self) -> str:
        return f"response to {self.survey_id}"


class Answer(models.Model):
    """The answer to one question: choices, a number (scale or agreement), free text,
    or a 'not relevant' option. Random id, like the response, so rows carry no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    not_relevant = models.CharField(max_length=10, choices=NotRelevant.choices, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="unique_answer")
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class SurveyRespondent(models.Model):
    """Who has answered a survey (so people are not asked twice and reminders go to the
    others). Kept apart from the answers on purpose: no link to ``Response`` and only the
    date, too coarse to match a person to an answer."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="respondents")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    responded_on = models.DateField(default=timezone.localdate)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["survey", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="unique_survey_respondent")
        ]

    def __str__(self) -> str:
        return f"{self.user} answered {self.survey_id}"


# --------------------------------------------------------------------------- conclusion


class ResultStatus(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT = "not", _("Not achieved")


class ExpectedResultReview(models.Model):
    """The conclusion-phase verdict on one expected result, with its evidence. Kept in
    this app because the expected result itself belongs to the communities app."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    expected_result = models.OneToOneField(
        "communities.ExpectedResult", on_delete=models.CASCADE, related_name="review"
    )
    status = models.CharField(_("status"), max_length=10, choices=ResultStatus.choices)
    evidence = models.TextField(_("evidence"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["expected_result__position"]

    def __str__(self) -> str:
        return f"{self.expected_result_id}: {self.status}"


class Conclusion(models.Model):
    """What the CoP learned (PAHO phase III): lessons learned, the post-action review and
    recommendations. One per CoP, edited until the results record is produced."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="conclusion"
    )
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    post_action_review = models.TextField(
        _("post-action review"),
        blank=True,
        help_text=_("What was planned, what happened, why, and what to do differently."),
    )
    recommendations = models.TextField(_("recommendations"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    def __str__(self) -> str:
        return f"Conclusion of {self.community_id}"


class ResultsRecord(models.Model):
    """A built results record: the self-contained ZIP for an institutional repository.
    Built by a Celery task; every build is kept, the newest ready one is current."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="results_records"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="evaluation/records/", blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"results record {self.pk} ({self.status})"


class CommunicationOutput(models.Model):
    """A communication drafted from the results record (intranet notice, public summary,
    social-media messages, slide outline), then edited by the convener."""

    class Kind(models.TextChoices):
        INTRANET = "intranet", _("Intranet notice")
        PUBLIC = "public", _("Public summary")
        SOCIAL = "social", _("Short social-media messages")
        SLIDES = "slides", _("Slide outline")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="communications"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    record = models.ForeignKey(
        ResultsRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"], name="unique_communication_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.community_id}"
