"""Communities of Practice and the roles people hold in them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from copcore.models import Organization
from copcore.permissions import CommunityRole


class Tag(models.Model):
    """A word of the organization's shared tag vocabulary. One vocabulary per organization
    so that discussions, assets and notes of different communities can be found together;
    each community narrows it to the tags it allows (its tagging norms)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_tag_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    """The PAHO/WHO lifecycle; ``archived`` makes a community read-only."""

    DESIGN = "design", _("Design")
    IMPLEMENTATION = "implementation", _("Implementation")
    CONCLUSION = "conclusion", _("Conclusion")
    ARCHIVED = "archived", _("Archived")


class Objective(models.TextChoices):
    """The six objective types of the PAHO methodology."""

    PROBLEM_SOLVING = "problem_solving", _("Problem solving")
    IDEA_GENERATION = "idea_generation", _("Generation of ideas")
    KNOWLEDGE_SHARING = "knowledge_sharing", _("Sharing knowledge between institutions")
    BEST_PRACTICES = "best_practices", _("Developing best practices")
    LESSONS_LEARNED = "lessons_learned", _("Lessons learned")
    POST_ACTION_REVIEW = "post_action_review", _("Post-action reviews")


class CallType(models.TextChoices):
    PUBLIC = "public", _("Public: any member of the organization may join")
    RESTRICTED = "restricted", _("Restricted: people ask to join or are invited")


class Rhythm(models.TextChoices):
    MONTHLY_ALL_HANDS = "monthly_all_hands", _("Monthly all-hands (case-based)")
    WEEKLY_OFFICE_HOURS = "weekly_office_hours", _("Weekly office hours")
    QUARTERLY_RETROSPECTIVE = "quarterly_retrospective", _("Quarterly retrospective")
    HUDDLES = "huddles", _("Brief huddles for urgent issues")


class Community(models.Model):
    """A Community of Practice inside one organization. Permissions of every app are
    granted on this object through its role groups (see copcore.permissions).

    The design fields are filled by the design wizard one step at a time and saved as
    they are (a draft); the phase gate, not the model, decides when they are complete."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="communities"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DESIGN)
    topic = models.CharField(_("topic or domain"), max_length=200, blank=True)
    problem = models.TextField(_("problem statement"), blank=True)
    objectives = ArrayField(
        models.CharField(max_length=32, choices=Objective.choices),
        default=list,
        blank=True,
        verbose_name=_("objectives"),
    )
    target_audiences = models.TextField(_("target audiences"), blank=True)
    call_type = models.CharField(
        _("call for members"), max_length=20, choices=CallType.choices, blank=True
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    rhythm = ArrayField(
        models.CharField(max_length=32, choices=Rhythm.choices),
        default=list,
        blank=True,
        verbose_name=_("planned rhythm"),
    )
    rhythm_notes = models.TextField(_("notes on the rhythm"), blank=True)
    design_steps_saved = ArrayField(
        models.CharField(max_length=32),
        default=list,
        blank=True,
        help_text=_("Wizard steps saved at least once, so the wizard can be resumed."),
    )
    allowed_tags = models.ManyToManyField(
        Tag,
        blank=True,
        related_name="communities",
        verbose_name=_("allowed tags"),
        help_text=_("The tagging norms: tags members may use here. None chosen: all tags."),
    )

    objects = ScopedManager(organization="organization")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("community of practice")
        verbose_name_plural = _("communities of practice")
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_community_slug")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.phase == Phase.ARCHIVED

    @property
    def is_public(self) -> bool:
        return self.call_type == CallType.PUBLIC


class ExpectedResult(models.Model):
    """One of the one to three results a CoP promises; each is checked at evaluation and
    every activity should serve one, so they are rows that others can point to."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="expected_results"
    )
    position = models.PositiveSmallIntegerField(default=1)
    description = models.TextField(_("description"))
    how_checked = models.TextField(_("how it is checked"), blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["community", "position", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class PhaseTransition(models.Model):
    """One move between phases, with its reason: the CoP's timeline."""

    class Reason(models.TextChoices):
        WORK_DONE = "work_done", _("The work is done")
        MEMBERS_MOVED_ON = "members_moved_on", _("Members have moved on")
        PRIORITIES_CHANGED = "priorities_changed", _("Priorities have changed")
        REOPENED = "reopened", _("Reopened")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="transitions")
    from_phase = models.CharField(_("from"), max_length=20, choices=Phase.choices)
    to_phase = models.CharField(_("to"), max_length=20, choices=Phase.choices)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["community", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.community}: {self.from_phase} -> {self.to_phase}"


class RoleAssignmentQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> RoleAssignmentQuerySet:
        """Terms are held from ``starts_on`` up to, not including, ``ends_on``."""
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gt=day))


class CommunityRoleAssignment(models.Model):
    """One person holding one role in one community for a term. Roles rotate, so terms
    have a start and an optional end, and ended terms stay as the role history."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="role_assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=CommunityRole.choices)
    starts_on = models.DateField(_("start date"), default=timezone.localdate)
    ends_on = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("The first day the role is no longer held."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(
        models.Manager.from_queryset(RoleAssignmentQuerySet), organization="organization"
    )

    class Meta:
        ordering = ["community", "role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="role_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} ({self.community})"

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)


class MemberProfile(models.Model):
    """What the directory says about a person in one CoP: their job, site and expertise
    (the moderator's record of who knows what) and whether they share the convening
    work in the planning group. Roles themselves live in role terms."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="member_profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_profiles"
    )
    job_title = models.CharField(_("role at work"), max_length=200, blank=True)
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    expertise = models.TextField(_("expertise"), blank=True)
    planning_group = models.BooleanField(_("in the planning group"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["community", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="unique_member_profile")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community}"


class JoinRequest(models.Model):
    """A request to join a restricted CoP, with the short registration form; a convener or
    facilitator decides, and a decline carries its reason back to the person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job_title = models.CharField(_("your role at work"), max_length=200)
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    expertise = models.TextField(_("expertise"), blank=True)
    motivation = models.TextField(_("why you want to join"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} -> {self.community} ({self.status})"


class CommunityInvitation(models.Model):
    """An invitation to a CoP for a person already in the organization (people outside
    it are invited to the organization first)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="community_invitations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("message"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(status="pending"),
                name="one_pending_community_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.community}"


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

    objects = ScopedManager(organization="organization")
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

    objects = ScopedManager(organization="organization")

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

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["version", "acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="unique_charter_ack")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"


class Workstream(models.Model):
    """A channel of a CoP (one per workstream, seed 001) holding its discussion threads."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="unique_workstream_name")
        ]

    def __str__(self) -> str:
        return self.name


class Thread(models.Model):
    """A discussion. The moderator may pin or lock it, and closes it with the articulated
    summary the PAHO method asks for; a closed thread can be reopened."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="threads", verbose_name=_("tags"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    closing_summary = models.TextField(_("closing summary"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(closing_summary=""),
                name="closed_thread_has_summary",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Post(models.Model):
    """A message in a thread (a reply points to its parent). The Markdown source is kept;
    the sanitised HTML is rendered by the service on every write. Edits keep history."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)

    objects = ScopedManager(organization="organization")
    history = HistoricalRecords(excluded_fields=["body_html"])

    class Meta:
        ordering = ["thread", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class Mention(models.Model):
    """An @mention of a person in a post; the email to them is sent after commit and
    ``notified_at`` makes the sending idempotent. A notifications digest may fold these."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_mentions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="unique_mention")]

    def __str__(self) -> str:
        return f"@{self.user} in post {self.post_id}"


class PostFlag(models.Model):
    """A member's report that a post needs a moderator's attention; open flags form the
    moderation queue."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld: post hidden")
        DISMISSED = "dismissed", _("Dismissed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="post_flags")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"flag on post {self.post_id} ({self.status})"


class Escalation(models.Model):
    """A problem the CoP cannot solve itself, passed to someone who can (seed 001), with
    an owner who follows it up and a status."""

    class Target(models.TextChoices):
        SENIOR_LEADERSHIP = "senior_leadership", _("Senior leadership")
        COMMISSIONERS = "commissioners", _("Commissioners")
        NATIONAL_BODY = "national_body", _("A national body")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed without resolution")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="escalations")
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    escalated_to = models.CharField(_("escalated to"), max_length=32, choices=Target.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PostAttachment(models.Model):
    """A file attached to a post. Checked and stored by the platform's upload rules
    (``knowledge.uploads``: type by content, size limit, random storage name) and served
    only through a view that checks the reader may see the post."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="post_attachments"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="communities/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["post", "id"]

    def __str__(self) -> str:
        return self.original_name
