"""``manage.py send_digests --now``: send this period's digests by hand.

Without ``--now`` it runs the same hourly tick as Celery beat (people whose local
send time has come, and reminders). With ``--now`` every person with a role gets this
period's digest now, whatever their chosen day and hour (the delivery records still
prevent a second copy). Batches go through Celery: with REDIS_URL unset they run
eagerly in this process."""

from __future__ import annotations

from celery.exceptions import Retry
from celery.result import EagerResult
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from communities.models import CommunityRoleAssignment
from notifications import tasks


class Command(BaseCommand):
    help = "Send the digests of the current period (and the due reminders)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="Send everyone's digest now, whatever their hour."
        )

    def handle(self, *args, now: bool = False, **options):
        moment = timezone.now()
        if not now:
            counts = tasks.tick(moment.isoformat())
            self.stdout.write(f"Tick enqueued: {counts}")
            return
        with scopes_disabled():
            ids = sorted(
                set(
                    CommunityRoleAssignment.objects.active_on(moment.date()).values_list(
                        "user_id", flat=True
                    )
                )
            )
        totals = {"sent": 0, "failed": 0, "skipped": 0}
        retried = 0
        for batch in tasks.chunks(ids):
            try:
                result = tasks.send_digest_batch.delay(batch, moment.isoformat())
            except Retry:  # eager: an SMTP error; the deferred messages stay reserved
                retried += 1
                continue
            if isinstance(result, EagerResult):  # REDIS_URL unset: the batch ran here
                for key, value in (result.get() or {}).items():
                    totals[key] += value
        if retried:
            self.stdout.write(
                f"{retried} batch(es) met an SMTP error: their unsent messages stay reserved "
                "and go out with the next run or hourly tick."
            )
        self.stdout.write(f"Digests for {len(ids)} people: {totals}")
