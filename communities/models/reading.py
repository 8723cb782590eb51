"""What each person keeps of a discussion: where they stopped reading, what they follow
or mute, and which posts they found helpful. Every row belongs to one person and
carries its organization and community so it is scoped like the posts it points to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models.community import Community
from communities.models.discussions import Post, Thread, Workstream
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class ThreadReadState(models.Model):
    """How far a person has read a thread: posts created after ``last_read_at`` (and not
    written by them) are new to them. Moved forward only when they open the thread and
    see newer posts, so a page view with nothing new writes nothing."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_read_states"
    )
    last_read_post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_read_at = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="unique_thread_read_state")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} up to {self.last_read_at:%Y-%m-%d %H:%M}"


class SubscriptionLevel(models.TextChoices):
    FOLLOW = "follow", _("Following")
    MUTE = "mute", _("Muted")


class DiscussionSubscription(models.Model):
    """A person's choice to follow or mute one thread or a whole workstream. A choice on
    the thread wins over one on its workstream; without either, the thread is neither
    followed nor muted. Authors and repliers are made followers when they write (unless
    they muted it)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="discussion_subscriptions",
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    workstream = models.ForeignKey(
        Workstream,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    level = models.CharField(_("level"), max_length=10, choices=SubscriptionLevel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, workstream__isnull=True)
                | Q(thread__isnull=True, workstream__isnull=False),
                name="subscription_thread_xor_workstream",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="unique_thread_subscription",
            ),
            models.UniqueConstraint(
                fields=["user", "workstream"],
                condition=Q(workstream__isnull=False),
                name="unique_workstream_subscription",
            ),
        ]

    def __str__(self) -> str:
        target = f"thread {self.thread_id}" if self.thread_id else f"ws {self.workstream_id}"
        return f"{self.user_id} {self.level} {target}"


class PostHelpful(models.Model):
    """A person's "helpful" acknowledgement of someone else's post: one per person and
    post, withdrawn by deleting the row."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="helpful_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="unique_post_helpful")]

    def __str__(self) -> str:
        return f"{self.user_id} found post {self.post_id} helpful"
