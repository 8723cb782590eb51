"""Communities of Practice, their phases and design, and the roles people hold in them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from copcore.managers import OrganizationScopedManager, organization_scoped
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

    objects = OrganizationScopedManager()

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

    objects = OrganizationScopedManager()
    history = HistoricalRecords()
    # Not a field: the viewer's permission codenames, set by a view that has already
    # resolved them (the dashboards' cached access) so the CoP navigation reads no more.
    nav_permissions: frozenset[str]

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

    objects = OrganizationScopedManager()

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

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.community}: {self.from_phase} -> {self.to_phase}"


class RoleAssignmentQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> RoleAssignmentQuerySet:
        """Terms are held from ``starts_on`` up to, not including, ``ends_on``."""
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gt=day))


_RoleAssignmentManagerBase = models.Manager.from_queryset(RoleAssignmentQuerySet)
if TYPE_CHECKING:
    _ScopedRoleAssignmentManager = _RoleAssignmentManagerBase
else:
    _ScopedRoleAssignmentManager = organization_scoped(_RoleAssignmentManagerBase)


class RoleAssignmentManager(_ScopedRoleAssignmentManager):
    """Role terms of the organization in the active scope, with ``active_on``."""

    if TYPE_CHECKING:

        def with_scope(self, **scope: Any) -> Self: ...

        def with_scopes_disabled(self) -> Self: ...


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

    objects = RoleAssignmentManager()

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
