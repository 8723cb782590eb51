"""The rare-events layout of the file import: one row per event with the columns
``measure_code, site_code, event_date`` and optionally ``category, opportunities``.

It rides the same pipeline as figures per period (``services.imports``): the same
upload, encoding and date readings, the dry run with grouped problems, the steward's
go-ahead, an atomic commit and the review of the counts it changes. Only the row check
(:class:`EventRowChecker`) and the commit step (:func:`commit_staged_events`) differ.
A file is in this layout when its header has an ``event_date`` column.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import BinaryIO

from django.utils import timezone

from measurement import numbers
from measurement.dates import parse_date
from measurement.models import ImportBatch, Measure, RareEvent, Site
from measurement.validation import (
    NULL,
    Report,
    ValidationContext,
    _copy_escape,
    _norm,
    parse_number,
)

CATEGORY_MAX = 80


def _has_day(text: str) -> bool:
    """Whether a date cell names a day (not only a month or quarter, which the period
    reader accepts)."""
    groups = re.findall(r"\d+", text)
    return len(groups) >= 3 or (len(groups) >= 2 and any(c.isalpha() for c in text))


class EventRowChecker:
    """Checks event rows and turns each valid one into a staged line (tab-separated,
    ``\\N`` for NULL): source line, measure id, site id, date, category, opportunities."""

    def __init__(
        self,
        context: ValidationContext,
        report: Report,
        date_order: str | None = None,
        number_reading: numbers.NumberReading | None = None,
    ) -> None:
        self.context = context
        self.report = report
        self.date_order = date_order
        self.number_reading = number_reading or numbers.NumberReading(
            numbers.POINT, numbers.BASIS_NONE
        )
        self.today = timezone.localdate()

    def check(self, line: int, cells: tuple[str, ...]) -> str | None:
        measure_code, site_code, date_text, category, opportunities_text = (
            str(c) if c is not None else "" for c in cells
        )
        report, context = self.report, self.context
        report.total_rows += 1
        errors_before = report.error_count
        measure = context.measures.get(_norm(measure_code)) if measure_code.strip() else None
        if measure is None:
            if measure_code.strip():
                report.error(line, "measure_code", "unknown_measure", {"code": measure_code})
            else:
                report.error(line, "measure_code", "missing_measure")
        elif measure.value_type != Measure.ValueType.RARE_EVENTS:
            report.error(line, "measure_code", "not_rare_events_measure", {"code": measure_code})
        site = context.sites.get(_norm(site_code)) if site_code.strip() else None
        if site is None:
            if site_code.strip():
                report.error(line, "site_code", "unknown_site", {"code": site_code})
            else:
                report.error(line, "site_code", "missing_site")
        day: dt.date | None = None
        if not date_text.strip():
            report.error(line, "event_date", "missing_event_date")
        else:
            try:
                day = parse_date(date_text, self.date_order or "dmy")
                if not _has_day(date_text):
                    raise ValueError(date_text)  # a month or quarter is not an event's day
            except ValueError:
                report.error(line, "event_date", "invalid_event_date", {"text": date_text})
            else:
                if day > self.today:
                    report.error(line, "event_date", "future_event_date", {"date": day.isoformat()})
        category = category.strip()
        if len(category) > CATEGORY_MAX:
            report.error(line, "category", "category_too_long", {"n": CATEGORY_MAX})
        opportunities_out = NULL
        if opportunities_text.strip():
            try:
                number, normalized = parse_number(
                    opportunities_text.strip(), self.number_reading.convention
                )
            except ValueError:
                report.error(line, "opportunities", "invalid_number", {"text": opportunities_text})
            else:
                if number < 0:
                    report.error(line, "opportunities", "negative_opportunities")
                else:
                    opportunities_out = normalized
        if report.error_count > errors_before:
            return None
        assert measure is not None and site is not None and day is not None
        report.valid_rows += 1
        category_out = _copy_escape(category) if category else NULL
        return (
            f"{line}\t{measure.id}\t{site[1]}\t{day.isoformat()}\t{category_out}\t"
            f"{opportunities_out}\n"
        )


def _unescape(text: str) -> str:
    return text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")


def commit_staged_events(batch: ImportBatch, staged: BinaryIO) -> int:
    """Create the staged events of a checked batch and recompute the counts per period
    of every (measure, site) they touch, submitted for review with the batch. Runs
    inside the commit's transaction; returns the events created."""
    from measurement.services.rare_events import counts_sync

    rows = []
    for raw in staged.read().decode("utf-8").splitlines():
        if not raw:
            continue
        _line, measure_text, site_text, day, category, opportunities = raw.split("\t")
        rows.append(
            RareEvent(
                organization_id=batch.organization_id,
                community_id=batch.community_id,
                measure_id=int(measure_text),
                site_id=int(site_text),
                occurred_on=dt.date.fromisoformat(day),
                category="" if category == NULL else _unescape(category),
                opportunities=None if opportunities == NULL else Decimal(opportunities),
                entered_by_id=batch.committed_by_id,
                batch=batch,
            )
        )
    RareEvent.objects.bulk_create(rows, batch_size=2000)
    touched = {(r.measure_id, r.site_id) for r in rows}
    measures = Measure.objects.in_bulk({m for m, _s in touched})
    sites = Site.objects.in_bulk({s for _m, s in touched})
    for measure_id, site_id in sorted(touched):
        counts_sync(
            actor=batch.committed_by, measure=measures[measure_id], site=sites[site_id],
            batch=batch,
        )  # fmt: skip
    return len(rows)
