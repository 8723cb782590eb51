"""Reads for sign-in. Identity providers are looked up before anyone is signed in, so
outside any organization's scope: each function says which rows it may return."""

from __future__ import annotations

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from copcore.models import IdentityProvider, Organization, OrganizationMembership, User


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def enabled_providers() -> list[IdentityProvider]:
    """Every enabled provider of an active organization (what allauth may use)."""
    with scopes_disabled():
        return list(
            IdentityProvider.objects.filter(
                is_enabled=True, organization__is_active=True
            ).select_related("organization")
        )


def provider_by_provider_id(provider_id: str) -> IdentityProvider | None:
    with scopes_disabled():
        return (
            IdentityProvider.objects.filter(provider_id=provider_id)
            .select_related("organization")
            .first()
        )


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider whose organization claims this address's domain, if any.
    A domain is claimed by at most one provider (copcore.sso.services refuses a second)."""
    domain = email_domain(email)
    if not domain:
        return None
    with scopes_disabled():
        return (
            IdentityProvider.objects.filter(
                is_enabled=True, organization__is_active=True, email_domains__contains=[domain]
            )
            .select_related("organization")
            .first()
        )


def organization_providers(*, organization: Organization) -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(organization=organization).select_related(
        "break_glass_user"
    )


def organization_provider(*, organization: Organization, pk: int) -> IdentityProvider | None:
    return organization_providers(organization=organization).filter(pk=pk).first()


def password_refused_reason(user: User) -> IdentityProvider | None:
    """The provider that must sign this person in instead of a password, or None.

    A person is held to single sign-on when their address is in a domain claimed by an
    enabled provider that requires it, they are a member of that provider's
    organization, and they are not its break-glass admin."""
    provider = provider_for_email(user.email)
    if provider is None or not provider.require_sso:
        return None
    if provider.break_glass_user_id == user.pk:
        return None
    with scopes_disabled():
        is_member = OrganizationMembership.objects.filter(
            organization=provider.organization, user=user
        ).exists()
    return provider if is_member else None
