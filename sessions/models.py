"""Meetings of a Community of Practice: series and their rhythm, sessions, ECHO case
presentations, attendance, polls, breakout groups, decisions, action items and the
private calendar-feed tokens.

Times are stored in UTC. A series keeps its IANA time zone and its first occurrence
as local wall-clock date and time, so that recurrences stay at the same local hour
across daylight-saving changes (see ``sessions.recurrence``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class SessionKind(models.TextChoices):
    ALL_HANDS = "all_hands", _("All-hands / case-based clinic")
    OFFICE_HOURS = "office_hours", _("Office hours")
    RETROSPECTIVE = "retrospective", _("Retrospective")
    HUDDLE = "huddle", _("Huddle")
    INTRODUCTORY = "introductory", _("Introductory meeting")


class SessionSeries(models.Model):
    """A recurring meeting of a CoP (e.g. "first Tuesday monthly, 18:00 Europe/London").

    The rule is an RFC 5545 RRULE; the first occurrence is kept as a local date and
    time in ``time_zone`` so every generated occurrence is the same local hour.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="session_series"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    description = models.TextField(_("description"), blank=True)
    rrule = models.CharField(
        _("recurrence rule"),
        max_length=500,
        help_text=_("An RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU (first Tuesday monthly)."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64)
    first_date = models.DateField(_("date of the first session"))
    start_time = models.TimeField(_("local start time"))
    duration_minutes = models.PositiveIntegerField(_("default duration (minutes)"), default=60)
    video_link = models.URLField(_("video-conference link"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    generated_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("session series")
        verbose_name_plural = _("session series")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="series_duration_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RotaEntry(models.Model):
    """One place in a series' facilitator rota. Occurrence number n is facilitated by
    the entry at position n modulo the rota's length, so the load rotates."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="rota")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["series", "position"]
        constraints = [
            models.UniqueConstraint(fields=["series", "position"], name="unique_rota_position")
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.position + 1}. {self.user}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """One meeting: generated from a series or added one-off. It carries the record of
    the meeting (agenda, summary, recording, action plan) so nothing decided is lost.

    ``occurrence_start`` is the UTC start the rule produced; it stays when a session is
    moved, so generation is idempotent and never recreates a moved or cancelled one.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="sessions")
    series = models.ForeignKey(
        SessionSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    occurrence_start = models.DateTimeField(null=True, blank=True, editable=False)
    occurrence_index = models.PositiveIntegerField(null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    video_link = models.URLField(_("video-conference link"), max_length=500, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    action_plan = models.TextField(
        _("action plan proposed to members"),
        blank=True,
        help_text=_("For the introductory meeting: the action plan proposed to members."),
    )
    recording_link = models.URLField(_("recording link"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: raised on each move or cancellation."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_start"],
                condition=Q(series__isnull=False, occurrence_start__isnull=False),
                name="unique_series_occurrence",
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FacilitatorSwapRequest(models.Model):
    """A facilitator asks another member to take their turn; if ``swap_session`` is set,
    the two exchange turns (the other member's session passes to the requester)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="swap_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    proposed = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("asked to take over"),
    )
    swap_session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in exchange for their session"),
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requested_by} -> {self.proposed} ({self.session})"


class CasePresentation(models.Model):
    """An ECHO case: a member (and their site) presents a de-identified case with
    questions for the group; the recommendations are recorded afterwards.

    ``identifying_warning_overridden`` records that the author saw the warning that
    the text looked identifying and confirmed it was checked.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="cases")
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("presenting member"),
    )
    site = models.ForeignKey(
        "measurement.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    title = models.CharField(_("title"), max_length=200)
    case_summary = models.TextField(_("de-identified case summary"))
    questions = models.TextField(_("questions for the group"))
    recommendations = models.TextField(_("recommendations"), blank=True)
    identifying_warning_overridden = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["session", "created_at"]

    def __str__(self) -> str:
        return self.title


class AttendanceResponse(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    APOLOGIES = "apologies", _("Sent apologies")
    NONE = "none", _("No reply")


class Attendance(models.Model):
    """A person's reply before a session (registered or apologies) and, afterwards,
    whether the facilitator marked them as attended (``attended`` is None until then)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    response = models.CharField(
        max_length=12, choices=AttendanceResponse.choices, default=AttendanceResponse.NONE
    )
    attended = models.BooleanField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["session", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.session}: {self.response}"


class Poll(models.Model):
    """A question put to the session. Results are kept with the session.

    Anonymous polls store who voted (``PollVoter``, to allow one vote) apart from what
    was chosen (``PollVote`` without a voter), so a choice cannot be traced to a person.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=300)
    multiple_choice = models.BooleanField(_("people may choose several options"), default=False)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    is_open = models.BooleanField(_("open for votes"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["session", "created_at", "id"]

    def __str__(self) -> str:
        return self.question


class PollOption(models.Model):
    """One answer a voter may choose."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["poll", "position", "id"]

    def __str__(self) -> str:
        return self.text


class PollVoter(models.Model):
    """That a person has voted in a poll, without what they chose. The unique
    constraint is what makes "vote once" hold even under concurrent requests."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voted_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="unique_poll_voter")]

    def __str__(self) -> str:
        return f"{self.user} voted in {self.poll}"


class PollVote(models.Model):
    """One chosen option. In an anonymous poll ``voter`` is empty and the row has no
    time and a random id, so nothing orders or links it to a ``PollVoter`` row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["option", "voter"],
                condition=Q(voter__isnull=False),
                name="unique_named_vote_per_option",
            )
        ]

    def __str__(self) -> str:
        return f"vote for {self.option_id}"


class BreakoutGroup(models.Model):
    """A small group the facilitator splits attendees into, with that group's notes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="breakouts")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField(_("notes"), blank=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return self.name


class BreakoutMember(models.Model):
    """A person in one breakout group; one group per person per session."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(BreakoutGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["group", "user__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_breakout_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class Decision(models.Model):
    """Something the session decided, with the person who owns it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cue = models.ForeignKey(
        "cop_sessions.TranscriptCue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moment in the transcript"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["session", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    """Who will test what by when: agreed in a session, followed up across sessions.
    ``community`` is kept directly so a CoP's list needs no join through sessions."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="action_items")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    description = models.TextField(_("what will be tested or done"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    test_of_change = models.ForeignKey(
        "knowledge.TestOfChange",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_action_items",
        verbose_name=_("linked PDSA test"),
    )
    cue = models.ForeignKey(
        "cop_sessions.TranscriptCue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moment in the transcript"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["community", "status", "due_on"]),
            models.Index(fields=["owner", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES and self.due_on < timezone.localdate()


class CalendarFeedToken(models.Model):
    """A person's private calendar-feed secret. Only its SHA-256 is stored, so a leaked
    database does not leak working feed URLs; revoking deletes the row.

    Not tenant data: one feed covers the person's CoPs in all their organizations.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"


# Transcripts live in their own module (this one is near the size limit); imported here so
# Django registers them with this app.
from sessions.transcript_models import Transcript, TranscriptCue  # noqa: E402, F401
