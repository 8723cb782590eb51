"""Pulls: DHIS2 analytics -> the CoP's rows -> an ``ImportBatch`` of source "DHIS2".

A pull is just another import. It asks the server's analytics (``includeNumDen``, the
mapped organisation units and the last ``lookback_periods`` complete periods of each
measure's frequency), turns the answer into rows of the file layout
(``validation.COLUMNS``) with the CoP's own codes, drops every row whose figures equal
what is stored already (idempotent: an unchanged value is not written again), and hands
the rest to the file import as a CSV: the same check, grouped problems, skip-or-overwrite,
all-or-nothing commit and approval. Rows whose figures differ from the stored ones are
listed in the batch's report (``dhis2.changed``) so the steward and the approver see
them. Every pull is recorded (``Dhis2Pull``) and audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from copcore import crypto
from copcore.models import User
from copcore.services import audit_record
from measurement import numbers
from measurement.dhis2.client import UNEXPECTED, Dhis2Error
from measurement.dhis2.services import can_map, client_for
from measurement.dhis2_periods import PeriodError, format_dhis2_period, parse_dhis2_period
from measurement.models import (
    Dhis2Connection,
    Dhis2Mapping,
    Dhis2MeasureMap,
    Dhis2Pull,
    ImportBatch,
    Observation,
)
from measurement.periods import last_complete_period, previous_period
from measurement.services.imports import import_batch_start
from measurement.validation import COLUMNS

CHANGED_LIMIT = 500  # changed rows listed in the report; the count is always exact
SCHEDULE_STEP: dict[str, dt.timedelta] = {
    Dhis2Mapping.Schedule.DAILY: dt.timedelta(days=1),
    Dhis2Mapping.Schedule.WEEKLY: dt.timedelta(days=7),
    Dhis2Mapping.Schedule.MONTHLY: dt.timedelta(days=30),
}

Key = tuple[int, int, dt.date, int | None]  # measure, site, period, category


@dataclass
class PulledRow:
    """One row of the pull in the CoP's terms, with the stored figures if any."""

    measure_code: str
    site_code: str
    period: dt.date
    stratifier: str
    category: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    state: str = "new"  # new, changed, unchanged
    stored: tuple[Decimal | None, Decimal | None, Decimal | None] | None = None

    def figures(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return (self.numerator, self.denominator, self.value)

    def cells(self) -> list[str]:
        def text(number: Decimal | None) -> str:
            return "" if number is None else format(number.normalize(), "f")

        return [
            self.measure_code,
            self.site_code,
            self.period.isoformat(),
            self.stratifier,
            self.category,
            text(self.numerator),
            text(self.denominator),
            text(self.value),
            "",
        ]


@dataclass
class PullPlan:
    """What the next pull would bring: the preview and the pull share it."""

    periods: dict[str, list[str]] = field(default_factory=dict)  # frequency -> DHIS2 ids
    rows: list[PulledRow] = field(default_factory=list)
    received: int = 0
    unknown: int = 0  # analytics rows no mapping line explains

    def of_state(self, state: str) -> list[PulledRow]:
        return [row for row in self.rows if row.state == state]


def _decimal(text: str) -> Decimal | None:
    if text in ("", "None"):
        return None
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise Dhis2Error(UNEXPECTED, "figure") from error


def periods_for(frequency: str, count: int, today: dt.date) -> list[dt.date]:
    """The last ``count`` complete periods of ``frequency``, oldest first."""
    period = last_complete_period(frequency, today)
    found = []
    for _index in range(count):
        found.append(period)
        period = previous_period(frequency, period)
    return sorted(found)


def plan_pull(*, mapping: Dhis2Mapping, today: dt.date | None = None) -> PullPlan:
    """Ask the server and compare with what is stored; no write. Raises Dhis2Error."""
    connection = Dhis2Connection.objects.get(organization=mapping.organization)
    client = client_for(connection)
    today = today or timezone.localdate()
    site_maps = list(mapping.sites.select_related("site"))
    measure_maps = list(mapping.measures.select_related("measure"))
    combos = {
        c.option_combo: c.category
        for c in mapping.categories.select_related("category__stratifier")
    }
    plan = PullPlan()
    if not site_maps or not measure_maps:
        return plan
    units = {m.org_unit: m.site for m in site_maps}
    by_frequency: dict[str, list[Dhis2MeasureMap]] = {}
    for item in measure_maps:
        by_frequency.setdefault(item.measure.frequency, []).append(item)
    pulled: dict[Key, PulledRow] = {}
    for frequency, items in by_frequency.items():
        starts = periods_for(frequency, mapping.lookback_periods, today)
        ids = [format_dhis2_period(start, frequency) for start in starts]
        plan.periods[frequency] = ids
        queries = [(sorted({i.indicator for i in items if i.indicator}), False)]
        elements = sorted(
            {x for i in items for x in (i.numerator_item, i.denominator_item, i.value_item) if x}
        )
        queries.append((elements, False))
        if combos:
            queries.append((elements, True))
        for dx, with_combos in queries:
            if not dx:
                continue
            answer = client.analytics(
                items=dx,
                org_units=list(units),
                periods=ids,
                with_combos=with_combos,
                approval_level=mapping.approval_level,
            )
            plan.received += len(answer)
            for row in answer:
                if not _place(row, items, units, combos, frequency, pulled, with_combos):
                    plan.unknown += 1
    _compare(mapping, pulled)
    plan.rows = sorted(
        pulled.values(),
        key=lambda r: (r.measure_code, r.site_code, r.period, r.stratifier, r.category),
    )
    return plan


def _place(row, items, units, combos, frequency, pulled, with_combos) -> bool:
    """Put one analytics row's figure in its place; False if no mapping line explains it."""
    site = units.get(row.get("ou", ""))
    category = None
    if with_combos:
        category = combos.get(row.get("co", ""))
        if category is None:
            return False
    try:
        period = parse_dhis2_period(row.get("pe", ""))
    except PeriodError:
        return False
    if site is None or period.kind != frequency:
        return False
    placed = False
    for item in items:
        roles = []
        if item.indicator and row["dx"] == item.indicator and not with_combos:
            roles = ["indicator"]
        for role, source in (
            ("numerator", item.numerator_item),
            ("denominator", item.denominator_item),
            ("value", item.value_item),
        ):
            if source and row["dx"] == source:
                roles.append(role)
        if not roles:
            continue
        measure = item.measure
        key: Key = (measure.pk, site.pk, period.start, category.pk if category else None)
        target = pulled.get(key)
        if target is None:
            target = pulled[key] = PulledRow(
                measure_code=measure.code,
                site_code=site.code,
                period=period.start,
                stratifier=category.stratifier.code if category else "",
                category=category.code if category else "",
            )
        value = _decimal(row.get("value", ""))
        for role in roles:
            if role == "indicator":
                if measure.uses_ratio:
                    target.numerator = _decimal(row.get("numerator", ""))
                    target.denominator = _decimal(row.get("denominator", ""))
                else:
                    target.value = value
            else:
                setattr(target, role, value)
        placed = True
    return placed


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.compare(b) == 0


def _compare(mapping: Dhis2Mapping, pulled: dict[Key, PulledRow]) -> None:
    """Mark each row new, changed or unchanged against the stored observations."""
    if not pulled:
        return
    measures = {key[0] for key in pulled}
    sites = {key[1] for key in pulled}
    periods = [key[2] for key in pulled]
    stored = Observation.objects.filter(
        measure_id__in=measures,
        site_id__in=sites,
        period__gte=min(periods),
        period__lte=max(periods),
    ).values_list(
        "measure_id", "site_id", "period", "category_id", "numerator", "denominator", "value"
    )
    for measure_id, site_id, period, category_id, num, den, value in stored:
        row = pulled.get((measure_id, site_id, period, category_id))
        if row is None:
            continue
        row.stored = (num, den, value)
        same = all(
            _same(new, old)
            for new, old in zip(row.figures(), row.stored, strict=True)
            if new is not None
        )
        row.state = "unchanged" if same else "changed"


def _csv(rows: Iterable[PulledRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.cells())
    return buffer.getvalue().encode("utf-8")


def _changed_report(rows: list[PulledRow]) -> list[dict[str, str]]:
    def text(number: Decimal | None) -> str:
        return "" if number is None else format(number.normalize(), "f")

    listed = []
    for row in rows[:CHANGED_LIMIT]:
        old = row.stored or (None, None, None)
        listed.append(
            {
                "measure": row.measure_code,
                "site": row.site_code,
                "period": row.period.isoformat(),
                "category": row.category,
                "before": " / ".join(text(x) for x in old if x is not None),
                "after": " / ".join(text(x) for x in row.figures() if x is not None),
            }
        )
    return listed


def pull_run(
    *, actor: User | None, mapping: Dhis2Mapping, trigger: str = Dhis2Pull.Trigger.MANUAL
) -> Dhis2Pull:
    """Pull now: ask the server, then (in one transaction) record the pull and, if any
    row is new or changed, create and check the import batch. A failure is recorded
    with its error code and audited; nothing else is written."""
    if actor is not None and not can_map(actor, mapping.community):
        raise PermissionDenied
    error = ""
    plan = PullPlan()
    try:
        plan = plan_pull(mapping=mapping)
    except Dhis2Error as failure:
        error = failure.code
    except crypto.SecretUnreadable:
        error = "secret_unreadable"
    except Dhis2Connection.DoesNotExist:
        error = "no_connection"
    fresh = plan.of_state("new") + plan.of_state("changed")
    changed = plan.of_state("changed")
    batch = None
    with transaction.atomic():
        now = timezone.now()
        pull = Dhis2Pull(
            organization=mapping.organization,
            mapping=mapping,
            requested_by=actor,
            trigger=trigger,
            periods=[p for ids in plan.periods.values() for p in ids],
            received_rows=plan.received,
            new_rows=len(fresh) - len(changed),
            changed_rows=len(changed),
            unchanged_rows=len(plan.of_state("unchanged")),
            error=error,
        )
        if error:
            pull.status = Dhis2Pull.Status.FAILED
        elif not fresh:
            pull.status = Dhis2Pull.Status.NOTHING_NEW
        else:
            pull.status = Dhis2Pull.Status.DONE
            batch = _batch_for(mapping, actor, fresh, changed)
            pull.batch = batch
        pull.save()
        Dhis2Mapping.objects.filter(pk=mapping.pk).update(
            last_pulled_at=now,
            next_pull_at=(now + SCHEDULE_STEP[mapping.schedule])
            if mapping.schedule in SCHEDULE_STEP
            else None,
        )
        audit_record(
            organization=mapping.organization,
            actor=actor,
            verb="measurement.dhis2_pulled",
            target=pull,
            data={
                "status": pull.status,
                "trigger": trigger,
                "error": error,
                "received": plan.received,
                "new": pull.new_rows,
                "changed": pull.changed_rows,
                "unchanged": pull.unchanged_rows,
                "batch": batch.pk if batch else None,
            },
        )
        if batch is not None:
            # The same check as a file's, inline for small pulls, queued for large ones.
            import_batch_start(batch=batch)
    if batch is not None:
        batch.refresh_from_db()
    return pull


def _batch_for(
    mapping: Dhis2Mapping, actor: User | None, fresh: list[PulledRow], changed: list[PulledRow]
) -> ImportBatch:
    content = _csv(fresh)
    # The checksum is the content's, salted with this pull: a pull that brings back
    # values seen in an earlier import (changed there and back) is a new import, not a
    # re-upload of the same file.
    salt = uuid.uuid4().hex
    checksum = hashlib.sha256(content + salt.encode("ascii")).hexdigest()
    name = f"dhis2-{timezone.now():%Y%m%d-%H%M}.csv"
    batch = ImportBatch(
        organization=mapping.organization,
        community=mapping.community,
        uploaded_by=actor,
        source=ImportBatch.Source.DHIS2,
        original_name=name,
        size_bytes=len(content),
        checksum=checksum,
        encoding="utf-8",
        heartbeat_at=timezone.now(),
        # The connector writes figures with a decimal point, whatever the language.
        report={
            "number_convention": numbers.POINT,
            "dhis2": {
                "changed_count": len(changed),
                "changed": _changed_report(changed),
            },
        },
    )
    batch.file.save(name, ContentFile(content), save=False)
    batch.save()
    return batch


def due_mappings(now: dt.datetime):
    """Mappings whose scheduled pull is due (any organization: the caller scopes)."""
    return Dhis2Mapping.objects.filter(next_pull_at__lte=now).exclude(
        schedule=Dhis2Mapping.Schedule.MANUAL
    )
