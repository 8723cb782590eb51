"""Core models: people, the tenant (organization), memberships, invitations and the audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copcore.managers import OrganizationScopedManager
from copcore.permissions import OrgRole
from copcore.spreadsheet import validate_code


def _time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class UserManager(BaseUserManager["User"]):
    """Creates users keyed by email (there is no username)."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """The account for a sign-in address, whatever its case: ``Member@Example.ORG``
        signs in as ``member@example.org``. The exact spelling wins if it exists (rows
        stored before addresses were unique regardless of case); otherwise the one
        account that matches ignoring case (the constraint ``unique_user_email_ci``
        allows at most one)."""
        address = (username or "").strip()
        exact = self.filter(email=address).first()
        if exact is not None:
            return exact
        # Lower() on both sides, as the constraint does (upper-casing would match
        # "i" and dotless "ı" together, two accounts the constraint allows).
        return self.alias(email_lower=Lower("email")).get(email_lower=Lower(Value(address)))

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login because clinicians move between networks but keep
    their address; display name, time zone and language personalise every page and email."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", choices=_time_zone_choices
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person asked for erasure: the account stays, anonymised, so that what
    # they wrote keeps an author ("Former member") and the CoP keeps its knowledge.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One account per address whatever its case (sign-in ignores case).
            models.UniqueConstraint(
                Lower("email"),
                name="unique_user_email_ci",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class SecondFactorPolicy(models.TextChoices):
    """Who in an organization must sign in with a second factor (TOTP)."""

    NOBODY = "nobody", _("Nobody is required to (anyone may)")
    ADMINS = "admins", _("Organization admins")
    EVERYONE = "everyone", _("Every member")


class Organization(models.Model):
    """The tenant: a health network or programme. Every tenant-owned row points here so
    that every query can be filtered by it and another network's data never leaks."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, validators=[validate_code])
    language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    second_factor_required = models.CharField(
        _("second factor required for"),
        max_length=10,
        choices=SecondFactorPolicy.choices,
        default=SecondFactorPolicy.NOBODY,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class OrganizationMembership(models.Model):
    """A person's place in an organization and their organization-level role.
    It is the row that lets a request enter the organization's scope."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=OrgRole.choices, default=OrgRole.MEMBER
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="unique_org_membership")
        ]
        ordering = ["user__display_name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class AccessVersion(models.Model):
    """One row whose token changes whenever a write could change who may see what:
    organizations, memberships, group membership, object permissions (guardian's
    tables) and communities. Database triggers set it (copcore migration 0002 and
    communities migration 0007), whatever wrote, so a person's resolved access can be
    cached under the token: reading one token replaces resolving the access again, and
    no cached answer outlives a change. Such writes are rare, so one token for the
    whole installation is enough."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=64)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"access version {self.token}"


class Invitation(models.Model):
    """An org admin's invitation by email. The emailed link carries a signed, expiring
    token for this row; accepting creates the account or adds the membership."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=20, choices=OrgRole.choices, default=OrgRole.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} -> {self.organization}"


class AuditEvent(models.Model):
    """Who did what to which object, written by services inside their transaction so an
    event exists exactly when the change does. One table an org admin can filter."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.target_repr}"


class IdentityProvider(models.Model):
    """An organization's own single sign-on (OpenID Connect), set up by its admins in the
    browser. People whose address is in one of ``email_domains`` are sent to it at sign-in
    and, on their first sign-in, join this organization (and only this one) as members.

    The client secret is stored encrypted (copcore/crypto.py) and never shown again.
    ``provider_id`` is the name django-allauth knows it by (copcore/sso/adapters.py builds
    an allauth ``SocialApp`` from this row at each request: no settings file, no restart)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="identity_providers"
    )
    name = models.CharField(_("name shown on the sign-in button"), max_length=100)
    provider_id = models.SlugField(max_length=80, unique=True, editable=False)
    discovery_url = models.URLField(
        _("discovery URL"),
        max_length=500,
        help_text=_("The issuer address, or its /.well-known/openid-configuration address."),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret = models.TextField(_("client secret (encrypted)"), blank=True)
    email_domains = ArrayField(
        models.CharField(max_length=253),
        verbose_name=_("email domains"),
        default=list,
        blank=True,
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    require_sso = models.BooleanField(
        _("members in these domains must sign in through this provider"), default=False
    )
    break_glass_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("break-glass admin (may still use a password)"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
