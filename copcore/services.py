"""Every write of the core app. Each service is keyword-only, atomic and audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from rest_framework.authtoken.models import Token

from copcore.models import AuditEvent, Invitation, Organization, OrganizationMembership, User
from copcore.permissions import OrgRole
from copcore.request_context import current_client_ip, current_request_id
from copcore.spreadsheet import check_code

INVITATION_SALT = "copcore.invitation"


def audit_record(
    *,
    organization: Organization,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the service's transaction."""
    return AuditEvent.objects.create(
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        data=data or {},
        request_id=current_request_id(),
        ip_address=current_client_ip(),
    )


@transaction.atomic
def organization_create(*, actor: User | None, name: str, slug: str, admin: User) -> Organization:
    """Create a tenant with its first admin."""
    check_code("slug", slug)
    organization = Organization.objects.create(name=name, slug=slug)
    OrganizationMembership.objects.create(organization=organization, user=admin, role=OrgRole.ADMIN)
    audit_record(
        organization=organization,
        actor=actor,
        verb="organization.created",
        target=organization,
        data={"admin": admin.email},
    )
    return organization


@transaction.atomic
def membership_add(
    *, actor: User | None, organization: Organization, user: User, role: str = OrgRole.MEMBER
) -> OrganizationMembership:
    """Add a person to an organization (or change their role if already a member)."""
    membership, created = OrganizationMembership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    audit_record(
        organization=organization,
        actor=actor,
        verb="membership.added" if created else "membership.role_changed",
        target=membership,
        data={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, time_zone: str, language: str) -> User:
    """Update a person's own profile. Not tenant data, so no organization audit event."""
    user.display_name = display_name
    user.time_zone = time_zone
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "time_zone", "language"])
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Keep a person's choice from the language switcher in their profile."""
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def api_token_replace(*, user: User) -> Token:
    """Give the person a new API token; the previous one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: User) -> None:
    """Delete the person's API token."""
    Token.objects.filter(user=user).delete()


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.key), salt=INVITATION_SALT)


def invitation_key_from_token(token: str) -> str | None:
    """The invitation key inside a valid, unexpired token; None for anything else."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 60 * 60
    try:
        return signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None


@transaction.atomic
def invitation_create(
    *, actor: User, organization: Organization, email: str, role: str = OrgRole.MEMBER
) -> Invitation:
    """Invite a person by email; the link expires after INVITATION_MAX_AGE_DAYS."""
    email = email.strip().lower()
    with scopes_disabled():
        already_member = OrganizationMembership.objects.filter(
            organization=organization, user__email__iexact=email
        ).exists()
    if already_member:
        raise ValidationError({"email": _("This person is already a member.")})
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, invited_by=actor
    )
    audit_record(
        organization=organization,
        actor=actor,
        verb="invitation.created",
        target=invitation,
        data={"email": email, "role": role},
    )
    link = settings.SITE_URL.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_MAX_AGE_DAYS}
    language = organization.language

    def send() -> None:
        with translation.override(language):
            send_mail(
                subject=_("You are invited to %(org)s") % {"org": organization.name},
                message=render_to_string("emails/invitation.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )

    transaction.on_commit(send)
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    display_name: str = "",
    password: str = "",
) -> OrganizationMembership:
    """Accept an invitation: for the signed-in ``user``, or by creating the account."""
    with scopes_disabled():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."))
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(_("An account with this email exists: please log in first."))
            user = User.objects.create_user(
                email=invitation.email, password=password, display_name=display_name
            )
        elif user.email.lower() != invitation.email.lower():
            raise ValidationError(_("This invitation was sent to another email address."))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        membership = membership_add(
            actor=user, organization=invitation.organization, user=user, role=invitation.role
        )
        audit_record(
            organization=invitation.organization,
            actor=user,
            verb="invitation.accepted",
            target=invitation,
        )
    return membership
