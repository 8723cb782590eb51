"""Communities of Practice and the roles people hold in them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
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


class Community(models.Model):
    """A Community of Practice inside one organization. Permissions of every app are
    granted on this object through its role groups (see copcore.permissions)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="communities"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
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
