"""Models of the notifications app: what each person wants to receive, and what was sent.

Preferences and delivery records belong to a *person*, not to a tenant: one digest
covers all of a person's CoPs, in every organization they belong to, so these rows
carry no ``organization`` and are only ever read for the signed-in person (or by the
delivery pipeline, which works on ids). The per-CoP opt-out and the bounce are
tenant-owned and scoped like every other tenant row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    DAILY = "daily", _("Daily")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Kind(models.TextChoices):
    """Every kind of email the platform sends on its own initiative."""

    DIGEST = "digest", _("Digest")
    SESSION_24H = "session_24h", _("Session reminder (24 hours before)")
    SESSION_1H = "session_1h", _("Session reminder (1 hour before)")
    ACTION_ITEMS = "action_items", _("Action items due tomorrow or overdue")
    DATA_DUE = "data_due", _("Data submission due")
    CHARTER_ACK = "charter_ack", _("Charter acknowledgement pending")
    ROLE_TERM = "role_term", _("Role term ending")
    FOLLOWED_REPLY = "followed_reply", _("Reply in a discussion I follow")
    PROGRESS_RATING = "progress_rating", _("Monthly progress rating due (site team leads)")


REMINDER_KINDS: tuple[str, ...] = tuple(
    k for k in Kind.values if k not in (Kind.DIGEST, Kind.FOLLOWED_REPLY)
)


class FollowedReplies(models.TextChoices):
    """When replies in the discussions a person follows reach them."""

    DIGEST = "digest", _("In my digest")
    AT_ONCE = "at_once", _("At once, one email per reply")


class NotificationPreference(models.Model):
    """A person's choices about email. A missing row means the defaults (digest on,
    weekly, Monday 08:00 in the person's time zone, content included, every reminder
    on), so nobody needs a row until they change something."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    digest_enabled = models.BooleanField(_("send me a digest"), default=True)
    frequency = models.CharField(
        _("how often"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    weekday = models.PositiveSmallIntegerField(
        _("day (weekly digest)"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    hour = models.PositiveSmallIntegerField(
        _("hour (in my time zone)"),
        default=8,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
    )
    include_content = models.BooleanField(
        _("include message content"),
        default=True,
        help_text=_("Off: the digest lists titles only, without excerpts or summaries."),
    )
    followed_replies = models.CharField(
        _("replies in discussions I follow"),
        max_length=10,
        choices=FollowedReplies.choices,
        default=FollowedReplies.DIGEST,
    )
    disabled_reminders = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Reminder kinds this person turned off."),
    )
    bouncing = models.BooleanField(
        default=False,
        help_text=_("A hard bounce was recorded: nothing is sent until the person confirms."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hour__gte=0, hour__lte=23), name="pref_hour_0_23"),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="pref_weekday_0_6"
            ),
        ]

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def reminder_enabled(self, kind: str) -> bool:
        return kind not in (self.disabled_reminders or [])


class CommunityOptOut(models.Model):
    """A person's choice to leave one CoP out of their digest (they stay a member)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_opt_outs"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="unique_digest_opt_out")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opted out of {self.community_id}"


class DeliveryStatus(models.TextChoices):
    RESERVED = "reserved", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Nothing new: no email")


class DeliveryRecord(models.Model):
    """The idempotency key of every email: one row per (person, kind, period).

    Reserved in its own transaction *before* sending (the unique constraint makes a
    second reservation impossible), locked while the message goes out, and marked
    sent in the same transaction; a crash leaves it reserved, and the retry sends it.
    See docs/notifications.md, "Delivery protocol"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_records"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period_key = models.CharField(_("period"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.RESERVED
    )
    email = models.EmailField(_("sent to"))
    # The subject as sent (in the recipient's language), and as a code with parameters
    # (notifications.subjects) so the log shows it in the language of its reader.
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    subject_code = models.CharField(max_length=40, blank=True)
    subject_params = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period_key"], name="unique_delivery_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_key} -> {self.email} ({self.status})"

    @property
    def subject_shown(self) -> str:
        """The subject in the active language; rows from before subject codes show
        the text they were sent with."""
        from notifications.subjects import subject_text

        return subject_text(self.subject_code, self.subject_params) or self.subject


class Bounce(models.Model):
    """A bounce reported for an address (by an org admin through the API or by staff in
    the admin). A hard bounce pauses email to that person until they confirm their
    address on the preference page; the delivery it refers to is marked."""

    class Type(models.TextChoices):
        HARD = "hard", _("Hard (address does not exist)")
        SOFT = "soft", _("Soft (temporary)")
        COMPLAINT = "complaint", _("Complaint (marked as spam)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(
        DeliveryRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="bounces"
    )
    bounce_type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bounce_type} bounce for {self.user_id}"
