"""Every write of the notifications app, and the two pipelines (digests, reminders)
that the tasks and the ``send_digests`` command call."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from communities.models import Community, CommunityRoleAssignment
from copcore.models import Organization, OrganizationMembership, User
from copcore.services import audit_record
from notifications import delivery
from notifications.digest import compose_digests
from notifications.models import (
    REMINDER_KINDS,
    Bounce,
    CommunityOptOut,
    DeliveryRecord,
    DeliveryStatus,
    FollowedReplies,
    Kind,
    NotificationPreference,
)
from notifications.reminders import REMINDERS
from notifications.schedule import digest_period

# ---------------------------------------------------------------- pipelines


def digest_due_user_ids(*, now: dt.datetime) -> list[int]:
    """People whose digest time has come in the current period and who have no finished
    delivery record for it (a reserved one is picked up again: nothing is lost)."""
    with scopes_disabled():
        active_role = CommunityRoleAssignment.objects.active_on(now.date()).filter(
            user=OuterRef("pk")
        )
        rows = (
            User.objects.filter(is_active=True)
            .filter(Exists(active_role))
            .values_list(
                "pk",
                "time_zone",
                "notification_preference__digest_enabled",
                "notification_preference__frequency",
                "notification_preference__weekday",
                "notification_preference__hour",
                "notification_preference__bouncing",
            )
            .order_by("pk")
        )
        candidates: dict[int, str] = {}
        for pk, tz, enabled, frequency, weekday, hour, bouncing in rows.iterator(chunk_size=5000):
            if enabled is False or bouncing:
                continue
            period = digest_period(
                now=now,
                time_zone=tz,
                frequency=frequency or "weekly",
                weekday=0 if weekday is None else weekday,
                hour=8 if hour is None else hour,
            )
            if now >= period.scheduled:
                candidates[pk] = period.key
    if not candidates:
        return []
    done = set(
        DeliveryRecord.objects.filter(
            kind=Kind.DIGEST,
            period_key__in=set(candidates.values()),
            status__in=delivery.FINISHED,
        ).values_list("user_id", "period_key")
    )
    return [pk for pk, key in candidates.items() if (pk, key) not in done]


def digests_send(*, user_ids: list[int], now: dt.datetime) -> delivery.Outcome:
    """Compose, reserve and send the digests of one batch (idempotent)."""
    composed = compose_digests(user_ids, now)
    done = delivery.finished_keys(Kind.DIGEST, [(c.user_id, c.period_key) for c in composed])
    to_send = [c for c in composed if (c.user_id, c.period_key) not in done]
    _record_nothing_new(user_ids, composed, now)
    outcome = delivery.deliver(to_send)
    outcome.skipped += len(composed) - len(to_send)
    return outcome


def _record_nothing_new(user_ids: list[int], composed, now: dt.datetime) -> None:
    from notifications.digest import load_people, preference
    from notifications.schedule import period_for

    with_mail = {c.user_id for c in composed}
    quiet = [u for u in load_people(user_ids) if u.pk not in with_mail]
    pairs = []
    for user in quiet:
        pref = preference(user)
        if pref.digest_enabled:
            pairs.append((user.pk, period_for(user, pref, now).key, user.email))
    delivery.record_nothing_new(Kind.DIGEST, pairs)
    # A reservation left by a crash whose content has since gone: nothing to send.
    DeliveryRecord.objects.filter(
        kind=Kind.DIGEST,
        status=DeliveryStatus.RESERVED,
        user_id__in=[u for u, _k, _e in pairs],
        period_key__in={k for _u, k, _e in pairs},
    ).update(status=DeliveryStatus.SKIPPED)


def reminders_due(*, now: dt.datetime) -> dict[str, list[tuple[int, str]]]:
    """Per reminder kind, the (person, period key) pairs due and not yet finished."""
    due = {}
    for kind, reminder in REMINDERS.items():
        pairs = reminder.due(now)
        done = delivery.finished_keys(kind, pairs)
        pending = sorted({p for p in pairs if p not in done})
        if pending:
            due[kind] = pending
    return due


def reminders_send(*, kind: str, pairs: list[tuple[int, str]], now: dt.datetime):
    if kind not in REMINDERS:
        raise ValidationError(_("Unknown reminder kind."))
    done = delivery.finished_keys(kind, pairs)
    composed = REMINDERS[kind].compose([p for p in pairs if p not in done], now)
    outcome = delivery.deliver(composed)
    outcome.skipped += len(done)
    return outcome


# ---------------------------------------------------------------- preferences


def preference_get_or_default(*, user: User) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


@transaction.atomic
def preference_update(
    *,
    actor: User,
    digest_enabled: bool,
    frequency: str,
    weekday: int,
    hour: int,
    include_content: bool,
    disabled_reminders: list[str],
    organization: Organization,
    opted_out_community_ids: set[int],
    followed_replies: str | None = None,
) -> NotificationPreference:
    """Save a person's own choices, and their per-CoP opt-outs in this organization.

    Personal settings, not a tenant action: no audit event (the audit log is for what
    people do to the organization's data)."""
    unknown = set(disabled_reminders) - set(REMINDER_KINDS)
    if unknown:
        raise ValidationError({"disabled_reminders": _("Unknown reminder kind.")})
    if not 0 <= hour <= 23 or not 0 <= weekday <= 6:
        raise ValidationError(_("Choose a day and an hour."))
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    pref.digest_enabled = digest_enabled
    pref.frequency = frequency
    pref.weekday = weekday
    pref.hour = hour
    pref.include_content = include_content
    pref.disabled_reminders = sorted(set(disabled_reminders))
    if followed_replies is not None:
        if followed_replies not in FollowedReplies.values:
            raise ValidationError({"followed_replies": _("Choose when replies reach you.")})
        pref.followed_replies = followed_replies
    pref.bouncing = False  # saving the page confirms the address again
    pref.full_clean(exclude=["user"])
    pref.save()
    allowed = set(
        Community.objects.filter(
            organization=organization, role_assignments__user=actor
        ).values_list("pk", flat=True)
    )
    wanted = opted_out_community_ids & allowed
    CommunityOptOut.objects.filter(user=actor, organization=organization).exclude(
        community_id__in=wanted
    ).delete()
    CommunityOptOut.objects.bulk_create(
        [
            CommunityOptOut(organization=organization, community_id=cid, user=actor)
            for cid in sorted(wanted)
        ],
        ignore_conflicts=True,
    )
    return pref


@transaction.atomic
def unsubscribe(*, user_id: int, kind: str) -> NotificationPreference | None:
    """One-click unsubscribe from one kind of email (idempotent; unknown person: None)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    if kind == Kind.FOLLOWED_REPLY:
        # Replies keep coming, in the digest, instead of one email each.
        pref.followed_replies = FollowedReplies.DIGEST
    elif kind == Kind.DIGEST or kind not in REMINDER_KINDS:
        pref.digest_enabled = False
    else:
        pref.disabled_reminders = sorted(set(pref.disabled_reminders or []) | {kind})
    pref.save()
    return pref


# ---------------------------------------------------------------- bounces


@transaction.atomic
def bounce_record(
    *,
    actor: User | None,
    organization: Organization,
    email: str,
    bounce_type: str,
    reason: str = "",
    message_id: str = "",
) -> Bounce:
    """Record a bounce for a member of ``organization``. A hard bounce or a complaint
    pauses all email to the person until they save their preferences again."""
    user = (
        User.objects.filter(email__iexact=email.strip())
        .filter(
            Exists(
                OrganizationMembership.objects.filter(
                    organization=organization, user=OuterRef("pk")
                )
            )
        )
        .first()
    )
    if user is None:
        raise ValidationError({"email": _("No member of this organization has this address.")})
    if bounce_type not in Bounce.Type.values:
        raise ValidationError({"bounce_type": _("Choose hard, soft or complaint.")})
    records = DeliveryRecord.objects.filter(user=user, status=DeliveryStatus.SENT)
    if message_id:
        records = records.filter(message_id=message_id.strip())
    record = records.order_by("-sent_at", "-id").first()
    if record is not None:
        record.bounced_at = timezone.now()
        record.bounce_reason = reason[:300]
        record.save(update_fields=["bounced_at", "bounce_reason"])
    bounce = Bounce.objects.create(
        organization=organization,
        user=user,
        delivery=record,
        bounce_type=bounce_type,
        reason=reason[:300],
        recorded_by=actor,
    )
    if bounce_type in (Bounce.Type.HARD, Bounce.Type.COMPLAINT):
        pref, _created = NotificationPreference.objects.get_or_create(user=user)
        pref.bouncing = True
        pref.save(update_fields=["bouncing", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        verb="notifications.bounce_recorded",
        target=bounce,
        data={"type": bounce_type, "delivery": record.pk if record else None},
    )
    return bounce
