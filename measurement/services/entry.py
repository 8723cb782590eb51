"""Data entry: the grid of one site's observations, saved in one transaction with
the same checks as an import. Keyword-only, typed, atomic and audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from measurement import access, numbers
from measurement.models import (
    Measure,
    Observation,
    Site,
    SiteEnrolment,
    StratifierCategory,
)
from measurement.validation import Report, RowChecker, ValidationContext


@dataclass
class GridEntry:
    """One line of the grid as typed: a measure and (optional) category at the site."""

    measure: Measure
    category: StratifierCategory | None
    numerator: str = ""
    denominator: str = ""
    value: str = ""
    comment: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.numerator or self.denominator or self.value or self.comment).strip()

    def cells(self, site: Site, period: dt.date) -> tuple[str, ...]:
        return (
            self.measure.code,
            site.code,
            period.isoformat(),
            self.category.stratifier.code if self.category else "",
            self.category.code if self.category else "",
            self.numerator,
            self.denominator,
            self.value,
            self.comment,
        )


def _decimal(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.0001"))


@transaction.atomic
def observations_save_grid(
    *,
    actor: User,
    community: Community,
    site: Site,
    period: dt.date,
    entries: list[GridEntry],
    submit: bool,
    language: str | None = None,
) -> tuple[int, dict[int, list[dict]]]:
    """Save what a steward typed for one site and period, with the import's row checks.

    Blank lines are left alone (partial work is fine), and so are lines shown unchanged
    (an approved value stays approved). New or changed lines are kept as drafts, or
    submitted when ``submit`` (which also submits unchanged drafts and returned lines);
    a changed approved value goes back through review. Returns (rows saved, errors by entry index):
    when any line has an error nothing is saved, so the page shows the errors with
    what was typed.

    Figures are read as ``language`` writes them (``1,812`` in English, ``1.812`` in
    Spanish: one thousand eight hundred and twelve); by default the actor's language.
    """
    access.require(access.can_submit(actor, community))
    if not SiteEnrolment.objects.filter(community=community, site=site).exists():
        raise PermissionDenied
    context = ValidationContext(community=community, load_existing=False)
    convention = numbers.convention_of(language or actor.language or settings.LANGUAGE_CODE)
    reading = numbers.NumberReading(convention, numbers.BASIS_LANGUAGE)
    errors: dict[int, list[dict]] = {}
    valid: list[tuple[GridEntry, str]] = []
    for index, entry in enumerate(entries):
        if entry.is_blank:
            continue
        report = Report()
        checker = RowChecker(context, report, number_reading=reading)
        staged = checker.check(index + 1, entry.cells(site, period))
        if staged is None:
            errors[index] = report.errors
        else:
            valid.append((entry, staged))
    if errors:
        return 0, errors
    now = timezone.now()
    existing = {
        (o.measure_id, o.category_id): o
        for o in Observation.objects.filter(
            measure__in={entry.measure.pk for entry, _staged in valid}, site=site, period=period
        )
    }
    saved = 0
    for entry, staged in valid:
        fields = staged.rstrip("\n").split("\t")
        figures = [None if f == "\\N" else _decimal(f) for f in fields[5:8]]
        comment = entry.comment.strip()
        observation = existing.get(
            (entry.measure.pk, entry.category.pk if entry.category else None)
        )
        if observation is None:
            observation = Observation(
                organization=community.organization,
                measure=entry.measure,
                site=site,
                period=period,
                category=entry.category,
            )
        else:
            unchanged = [
                observation.numerator,
                observation.denominator,
                observation.value,
            ] == figures and observation.comment == comment
            resubmit = submit and observation.status in (
                Observation.Status.DRAFT,
                Observation.Status.RETURNED,
            )
            if unchanged and not resubmit:
                continue  # a line shown as it was saved: leave its status alone
        observation.numerator, observation.denominator, observation.value = figures
        observation.comment = comment
        observation.status = Observation.Status.SUBMITTED if submit else Observation.Status.DRAFT
        observation.entered_by = actor
        observation.submitted_at = now if submit else None
        observation.review_comment = "" if submit else observation.review_comment
        observation.reviewed_by = None
        observation.reviewed_at = None
        observation.batch = None
        observation.save()
        saved += 1
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.data_submitted" if submit else "measurement.data_drafted",
        target=site,
        data={"community": community.slug, "period": period.isoformat(), "rows": saved},
    )
    return saved, {}


# Approval ---------------------------------------------------------------------------
