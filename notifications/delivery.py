"""Sending composed emails so that nothing is lost and nothing is sent twice.

Protocol (docs/notifications.md, "Delivery protocol"):

1. Reserve: one ``DeliveryRecord`` per (person, kind, period) is inserted in its own
   committed statement (``INSERT ... ON CONFLICT DO NOTHING``). The unique constraint
   makes a second reservation impossible, whoever tries.
2. Send: for each record, a short transaction locks the row
   (``SELECT ... FOR UPDATE SKIP LOCKED`` where it is still ``reserved``), hands the
   message to the SMTP server on the batch's one connection, and marks the row
   ``sent`` before committing. A duplicate task running at the same moment skips the
   locked row; one running later finds it ``sent`` and skips it.
3. Crash: if the worker dies after reserving or while sending, the transaction is
   rolled back, the row stays ``reserved`` and the retried task sends it. The only
   window for a second copy is between the SMTP server's acceptance and our commit
   (milliseconds); the Message-ID is the same on every attempt so it can be recognised.
4. Errors: a refused address is marked ``failed`` and the batch goes on; a transient
   SMTP or network error leaves the row ``reserved`` and, at the end of the batch,
   raises ``TransientDeliveryError`` so Celery retries the task with backoff.
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from notifications.messages import Composed, build_email, message_id
from notifications.models import DeliveryRecord, DeliveryStatus
from notifications.subjects import code_for

FINISHED = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)


class TransientDeliveryError(Exception):
    """Some messages of the batch could not be handed over; retry the batch later."""


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)  # record ids
    failed: list[int] = field(default_factory=list)
    skipped: int = 0
    deferred: list[int] = field(default_factory=list)


def finished_keys(kind: str, pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """(person, period) pairs already dealt with for ``kind`` (one query)."""
    if not pairs:
        return set()
    user_ids = {u for u, _ in pairs}
    keys = {k for _, k in pairs}
    return set(
        DeliveryRecord.objects.filter(
            kind=kind, user_id__in=user_ids, period_key__in=keys, status__in=FINISHED
        ).values_list("user_id", "period_key")
    )


def record_nothing_new(kind: str, pairs: list[tuple[int, str, str]]) -> None:
    """Remember that a period had nothing to send, so later ticks do not recompose it."""
    if not pairs:
        return
    now = timezone.now()
    DeliveryRecord.objects.bulk_create(
        [
            DeliveryRecord(
                user_id=u,
                kind=kind,
                period_key=k,
                email=e,
                status=DeliveryStatus.SKIPPED,
                created_at=now,
            )
            for u, k, e in pairs
        ],
        ignore_conflicts=True,
    )


def reserve(messages: list[Composed]) -> None:
    """Step 1: insert the records, committed on their own before anything is sent."""
    now = timezone.now()
    with transaction.atomic():
        DeliveryRecord.objects.bulk_create(
            [
                DeliveryRecord(
                    user_id=m.user_id,
                    kind=m.kind,
                    period_key=m.period_key,
                    email=m.email,
                    subject=m.subject[:255],
                    subject_code=m.subject_code or code_for(m.kind, m.period_key),
                    subject_params=m.subject_params,
                    message_id=message_id(user_id=m.user_id, kind=m.kind, period_key=m.period_key),
                    created_at=now,
                )
                for m in messages
            ],
            ignore_conflicts=True,
        )


PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, PERMANENT):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def send_reserved(messages: list[Composed]) -> Outcome:
    """Steps 2-4 on one SMTP connection for the whole batch."""
    outcome = Outcome()
    if not messages:
        return outcome
    connection = get_connection(fail_silently=False)
    opened = False
    try:
        for composed in messages:
            with transaction.atomic():
                record = (
                    DeliveryRecord.objects.select_for_update(skip_locked=True)
                    .filter(
                        user_id=composed.user_id,
                        kind=composed.kind,
                        period_key=composed.period_key,
                        status=DeliveryStatus.RESERVED,
                    )
                    .first()
                )
                if record is None:  # sent already, or being sent by a duplicate task
                    outcome.skipped += 1
                    continue
                record.attempts += 1
                try:
                    if not opened:
                        connection.open()
                        opened = True
                    connection.send_messages([build_email(composed, connection=connection)])
                except Exception as error:  # noqa: BLE001 - classified just below
                    record.error = f"{type(error).__name__}: {error}"[:2000]
                    if _is_permanent(error):
                        record.status = DeliveryStatus.FAILED
                        outcome.failed.append(record.pk)
                    else:
                        outcome.deferred.append(record.pk)
                        _close_quietly(connection)
                        opened = False
                    record.save(update_fields=["attempts", "error", "status"])
                    continue
                record.status = DeliveryStatus.SENT
                record.sent_at = timezone.now()
                record.error = ""
                record.save(update_fields=["attempts", "error", "status", "sent_at"])
                outcome.sent.append(record.pk)
    finally:
        if opened:
            _close_quietly(connection)
    if outcome.deferred:
        raise TransientDeliveryError(
            f"{len(outcome.deferred)} message(s) deferred; sent {len(outcome.sent)}"
        )
    return outcome


def _close_quietly(connection) -> None:
    with contextlib.suppress(Exception):  # the connection is being discarded anyway
        connection.close()


def deliver(messages: list[Composed]) -> Outcome:
    reserve(messages)
    return send_reserved(messages)
