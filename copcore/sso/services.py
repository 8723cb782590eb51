"""Writes for sign-in: identity providers, the second-factor policy, provider sign-ins
(just-in-time accounts and memberships) and an admin's revocation of a member's API
token. Each is atomic and audited; a provider's secret is encrypted before it is stored
and never appears in an audit event."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from rest_framework.authtoken.models import Token

from copcore.crypto import encrypt_secret
from copcore.models import (
    IdentityProvider,
    Organization,
    OrganizationMembership,
    User,
)
from copcore.permissions import OrgRole
from copcore.services import audit_record, membership_add

# Fields whose change an audit event lists (never the secret's value).
AUDITED_FIELDS = (
    "name",
    "discovery_url",
    "client_id",
    "email_domains",
    "is_enabled",
    "require_sso",
    "break_glass_user_id",
)


def normalise_domains(domains: list[str]) -> list[str]:
    cleaned = []
    for domain in domains:
        value = domain.strip().lower().lstrip("@")
        if value and value not in cleaned:
            cleaned.append(value)
    return cleaned


def _check_domains(*, provider: IdentityProvider) -> None:
    """A domain is claimed by one provider only: otherwise two organizations' providers
    could both sign in the same addresses."""
    with scopes_disabled():
        taken = (
            IdentityProvider.objects.exclude(pk=provider.pk)
            .filter(email_domains__overlap=provider.email_domains)
            .values_list("email_domains", flat=True)
        )
        clash = sorted({d for domains in taken for d in domains} & set(provider.email_domains))
    if clash:
        raise ValidationError(
            {
                "email_domains": _("Already claimed by another identity provider: %(domains)s")
                % {"domains": ", ".join(clash)}
            }
        )


@transaction.atomic
def identity_provider_save(
    *,
    actor: User,
    organization: Organization,
    provider: IdentityProvider | None,
    name: str,
    discovery_url: str,
    client_id: str,
    client_secret: str,
    email_domains: list[str],
    is_enabled: bool,
    require_sso: bool,
    break_glass_user: User | None,
) -> IdentityProvider:
    """Create or change a provider. An empty ``client_secret`` keeps the stored one."""
    created = provider is None
    if provider is None:
        provider = IdentityProvider(
            organization=organization,
            provider_id=f"{organization.slug}-{secrets.token_hex(4)}",
        )
    before = {field: getattr(provider, field) for field in AUDITED_FIELDS}
    provider.name = name
    provider.discovery_url = discovery_url
    provider.client_id = client_id
    provider.email_domains = normalise_domains(email_domains)
    provider.is_enabled = is_enabled
    provider.require_sso = require_sso
    provider.break_glass_user = break_glass_user
    secret_changed = bool(client_secret)
    if secret_changed:
        provider.client_secret = encrypt_secret(client_secret)
    if created and not secret_changed:
        raise ValidationError({"client_secret": _("A client secret is required.")})
    if (
        break_glass_user is not None
        and not OrganizationMembership.objects.filter(
            organization=organization, user=break_glass_user, role=OrgRole.ADMIN
        ).exists()
    ):
        raise ValidationError(
            {"break_glass_user": _("The break-glass account must be an organization admin.")}
        )
    _check_domains(provider=provider)
    provider.save()
    changed = sorted(field for field in AUDITED_FIELDS if getattr(provider, field) != before[field])
    audit_record(
        organization=organization,
        actor=actor,
        verb="identity_provider.created" if created else "identity_provider.changed",
        target=provider,
        data={"changed": changed, "secret_changed": secret_changed},
    )
    return provider


@transaction.atomic
def identity_provider_delete(*, actor: User, provider: IdentityProvider) -> None:
    """Remove a provider and the links of its people to it. Their accounts and
    memberships stay: they sign in again through an invitation or a password reset."""
    from allauth.socialaccount.models import SocialAccount

    links = SocialAccount.objects.filter(provider=provider.provider_id)
    people = links.count()
    links.delete()
    audit_record(
        organization=provider.organization,
        actor=actor,
        verb="identity_provider.deleted",
        target=provider,
        data={"provider_id": provider.provider_id, "links_removed": people},
    )
    provider.delete()


@transaction.atomic
def second_factor_policy_set(*, actor: User, organization: Organization, policy: str) -> None:
    before = organization.second_factor_required
    organization.second_factor_required = policy
    organization.save(update_fields=["second_factor_required"])
    audit_record(
        organization=organization,
        actor=actor,
        verb="organization.second_factor_policy_changed",
        target=organization,
        data={"from": before, "to": policy},
    )


@transaction.atomic
def member_api_token_revoke(*, actor: User, membership: OrganizationMembership) -> bool:
    """An org admin revokes a member's API token; True if there was one."""
    deleted, _count = Token.objects.filter(user=membership.user).delete()
    audit_record(
        organization=membership.organization,
        actor=actor,
        verb="api_token.revoked_by_admin",
        target=membership,
        data={"user": membership.user.email, "had_token": bool(deleted)},
    )
    return bool(deleted)


@transaction.atomic
def sso_sign_in(
    *,
    provider: IdentityProvider,
    user: User | None,
    email: str,
    display_name: str,
) -> tuple[User, bool]:
    """Resolve the account a provider sign-in lands in, creating it just in time.

    ``user`` is the account already linked to this provider's subject (or the existing
    account with this verified, claimed address); None creates one. The person becomes a
    member of the provider's organization if they are not one yet; their name and
    address follow the provider's. Returns the account and whether it was created."""
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, display_name=display_name or email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    else:
        changes = []
        if display_name and user.display_name != display_name:
            user.display_name = display_name
            changes.append("display_name")
        address_free = not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        if email and user.email.lower() != email.lower() and address_free:
            user.email = email
            changes.append("email")
        if changes:
            user.save(update_fields=changes)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    organization = provider.organization
    with scopes_disabled():
        is_member = OrganizationMembership.objects.filter(
            organization=organization, user=user
        ).exists()
        if not is_member:
            membership_add(actor=None, organization=organization, user=user, role=OrgRole.MEMBER)
        audit_record(
            organization=organization,
            actor=user,
            verb="sso.signed_in",
            target=provider,
            data={"user": user.email, "account_created": created, "joined": not is_member},
        )
    return user, created


@transaction.atomic
def sso_refusal_record(*, provider: IdentityProvider, reason: str, asserted_email: str) -> None:
    """Audit a provider answer that was refused (in the provider's organization)."""
    with scopes_disabled():
        audit_record(
            organization=provider.organization,
            actor=None,
            verb="sso.refused",
            target=provider,
            data={"reason": reason, "asserted_email": asserted_email},
        )
