"""Removing a person from an organization and erasing a person: the only writes here.

Both refuse to leave something nobody can manage (an organization without an admin, a
CoP without a convener): the message names what to hand over first. Both are audited
without re-identifying the person: the events carry no name and no email address.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from rest_framework.authtoken.models import Token

from communities.models import (
    CommunityInvitation,
    CommunityRoleAssignment,
    JoinRequest,
    MemberProfile,
)
from communities.services.roles import community_roles_sync, ensure_convener_continuity
from copcore.models import AuditEvent, Invitation, Organization, OrganizationMembership, User
from copcore.permissions import OrgRole
from copcore.services import audit_record

#: What an erased person's contributions show instead of their name.
FORMER_MEMBER = "Former member"
ERASED_EMAIL_DOMAIN = "erased.invalid"


def revoke_sessions_and_tokens(*, user: User) -> int:
    """End every signed-in session of the person and delete their API token.

    Sessions are stored in the database keyed by an opaque id, so the person's are found
    by decoding the unexpired ones; returns how many were ended."""
    Token.objects.filter(user=user).delete()
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def _blocking_roles(*, user: User, organization: Organization | None) -> list[str]:
    """Why the person cannot leave now: each organization they alone administer and each
    CoP that would have no convener without them."""
    reasons: list[str] = []
    with scopes_disabled():
        memberships = OrganizationMembership.objects.filter(user=user, role=OrgRole.ADMIN)
        if organization is not None:
            memberships = memberships.filter(organization=organization)
        for membership in memberships.select_related("organization"):
            others = OrganizationMembership.objects.filter(
                organization=membership.organization, role=OrgRole.ADMIN
            ).exclude(user=user)
            if not others.exists():
                reasons.append(
                    _("%(person)s is the only admin of %(org)s: make someone else an admin first.")
                    % {"person": user.display_name, "org": membership.organization.name}
                )
        for assignment in _open_terms(user=user, organization=organization):
            try:
                ensure_convener_continuity(assignment=assignment, ends_on=timezone.localdate())
            except ValidationError:
                reasons.append(
                    _(
                        "%(person)s is the only convener of %(community)s: name another "
                        "convener first."
                    )
                    % {"person": user.display_name, "community": assignment.community.name}
                )
    return reasons


def _open_terms(
    *, user: User, organization: Organization | None
) -> Iterable[CommunityRoleAssignment]:
    today = timezone.localdate()
    terms = CommunityRoleAssignment.objects.with_scopes_disabled().filter(user=user)
    if organization is not None:
        terms = terms.filter(organization=organization)
    return (terms.filter(ends_on__isnull=True) | terms.filter(ends_on__gt=today)).select_related(
        "community"
    )


def _leave_organization(*, user: User, organization: Organization) -> dict[str, int]:
    """End the person's roles in the organization and cancel what waits for them there."""
    today = timezone.localdate()
    communities = {}
    ended = 0
    for term in _open_terms(user=user, organization=organization):
        # A term that has not started yet ends the day it would have started.
        term.ends_on = max(today, term.starts_on)
        term.save(update_fields=["ends_on"])
        communities[term.community_id] = term.community
        ended += 1
    with scopes_disabled():
        invitations = Invitation.objects.filter(
            organization=organization, email__iexact=user.email, accepted_at__isnull=True
        ).delete()[0]
        community_invitations = CommunityInvitation.objects.filter(
            organization=organization, user=user, status=CommunityInvitation.Status.PENDING
        ).delete()[0]
        join_requests = JoinRequest.objects.filter(
            organization=organization, user=user, status=JoinRequest.Status.PENDING
        ).delete()[0]
        MemberProfile.objects.filter(organization=organization, user=user).delete()
        OrganizationMembership.objects.filter(organization=organization, user=user).delete()
    for community in communities.values():
        community_roles_sync(community=community)
    return {
        "roles_ended": ended,
        "invitations_cancelled": invitations + community_invitations,
        "join_requests_cancelled": join_requests,
    }


@transaction.atomic
def person_remove_from_organization(
    *, actor: User, organization: Organization, user: User, reason: str
) -> dict[str, int]:
    """Remove a person from an organization: every role there ends, their sessions and
    API token are revoked, pending invitations and join requests are cancelled. What
    they wrote stays with the CoPs."""
    with scopes_disabled():
        is_member = OrganizationMembership.objects.filter(
            organization=organization, user=user
        ).exists()
    if not is_member:
        raise ValidationError(_("This person is not a member of the organization."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the audit log.")})
    blocking = _blocking_roles(user=user, organization=organization)
    if blocking:
        raise ValidationError(blocking, code="would_leave_unmanaged")
    counts = _leave_organization(user=user, organization=organization)
    counts["sessions_ended"] = revoke_sessions_and_tokens(user=user)
    audit_record(
        organization=organization,
        actor=actor,
        verb="organization.member_removed",
        data={"person_id": user.pk, "reason": reason.strip(), **counts},
    )
    return counts


def _scrub(value: Any, words: list[str]) -> Any:
    """``value`` (audit data) with every occurrence of the person's name or address
    replaced by "Former member", at any depth."""
    if isinstance(value, str):
        for word in words:
            if word and word.lower() in value.lower():
                value = (
                    FORMER_MEMBER
                    if value.strip().lower() == word.lower()
                    else _replace_ci(value, word)
                )
        return value
    if isinstance(value, list):
        return [_scrub(item, words) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, words) for key, item in value.items()}
    return value


def _replace_ci(text: str, word: str) -> str:
    lower, needle, out, start = text.lower(), word.lower(), [], 0
    while (found := lower.find(needle, start)) != -1:
        out.append(text[start:found] + FORMER_MEMBER)
        start = found + len(word)
    return "".join(out) + text[start:]


def _scrub_audit_trail(*, user: User) -> int:
    """Remove the person's name, address and IP addresses from audit events anywhere."""
    words = sorted({user.email, user.display_name} - {""}, key=len, reverse=True)
    user_type = ContentType.objects.get_for_model(User)
    changed = 0
    with scopes_disabled():
        AuditEvent.objects.filter(actor=user).update(ip_address=None)
        candidates = AuditEvent.objects.annotate(text=Cast("data", TextField()))
        query = None
        for word in words:
            clause = candidates.filter(text__icontains=word) | candidates.filter(
                target_repr__icontains=word
            )
            query = clause if query is None else query | clause
        about = AuditEvent.objects.filter(target_type=user_type, target_id=str(user.pk))
        ids = set(query.values_list("pk", flat=True)) if query is not None else set()
        ids |= set(about.values_list("pk", flat=True))
        events = AuditEvent.objects.filter(pk__in=ids)
        for event in events:
            event.data = _scrub(event.data, words)
            event.target_repr = _scrub(event.target_repr, words)
            event.save(update_fields=["data", "target_repr"])
            changed += 1
    return changed


@transaction.atomic
def person_erase(*, user: User) -> None:
    """Erase a person at their own request.

    The account is anonymised rather than deleted so that what they wrote stays with the
    CoP, shown as by a "Former member": name, address, password, preferences and profiles
    go; their roles end everywhere; their name and address are removed from the audit
    trail; deliveries keep no address. Anonymous survey answers were never linked to them
    and stay so (who-has-answered rows point to the anonymised account, by date only).
    The history tables hold no personal field (ARCHITECTURE, audit) and point to the
    anonymised account."""
    blocking = _blocking_roles(user=user, organization=None)
    if blocking:
        raise ValidationError(blocking, code="would_leave_unmanaged")
    from notifications.models import (
        Bounce,
        CommunityOptOut,
        DeliveryRecord,
        NotificationPreference,
    )

    with scopes_disabled():
        organizations = list(Organization.objects.filter(memberships__user=user).distinct())
        for organization in organizations:
            _leave_organization(user=user, organization=organization)
        _scrub_audit_trail(user=user)
        erased_email = f"erased-{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
        Invitation.objects.filter(email__iexact=user.email).update(email=erased_email)
        DeliveryRecord.objects.filter(user=user).update(email=erased_email)
        Bounce.objects.filter(user=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        MemberProfile.objects.filter(user=user).delete()
        CommunityOptOut.objects.filter(user=user).delete()
        _forget_sign_in_identities(user=user)
    _forget_login_attempts(email=user.email)
    revoke_sessions_and_tokens(user=user)
    user.email = erased_email
    user.display_name = FORMER_MEMBER
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.time_zone = "UTC"
    user.erased_at = timezone.now()
    user.save()
    for organization in organizations:
        # No name, no address, no id that leads back: only that an erasure happened.
        audit_record(organization=organization, actor=None, verb="person.erased", data={})


def _forget_sign_in_identities(*, user: User) -> None:
    """allauth's rows about the person: addresses, accounts at identity providers (with
    what the provider said about them) and second factors. An erased account cannot sign
    in, so none of them has a use left."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()


def _forget_login_attempts(*, email: str) -> None:
    """django-axes keeps failed sign-ins (address, IP, browser); they go too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()
