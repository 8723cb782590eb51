"""CSV export of observations, safe to open in a spreadsheet.

Text cells that begin with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) are prefixed with a single quote so a spreadsheet shows them as text
instead of running them as formulas. Numbers are written by the platform from
decimal values and are left as numbers (a negative value stays ``-2.5``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django_scopes import scope

from copcore.spreadsheet import neutralise
from measurement.models import Observation

HEADER = [
    "community", "measure_code", "site_code", "period", "stratifier", "category",
    "numerator", "denominator", "value", "comment", "status", "review_comment", "updated_at",
]  # fmt: skip


def in_scope(organization, lines: Iterator[str]) -> Iterator[str]:
    """Stream ``lines`` inside the organization's scope: a streaming response is read
    after the view (and the tenancy middleware's scope) has returned."""
    with scope(organization=organization):
        yield from lines


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    observations: Iterable[Observation], *, figures: Callable[[Observation], Any]
) -> Iterator[str]:
    """The export, line by line (for a streaming response). ``figures`` gives each row's
    numerator, denominator and value as the viewer may see them (the disclosure rule)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for o in observations:
        shown = figures(o)
        yield writer.writerow(
            [
                neutralise(o.measure.community.slug),
                neutralise(o.measure.code),
                neutralise(o.site.code),
                o.period.isoformat(),
                neutralise(o.category.stratifier.code) if o.category is not None else "",
                neutralise(o.category.code) if o.category is not None else "",
                shown.numerator,
                shown.denominator,
                shown.value,
                neutralise(o.comment),
                o.status,
                neutralise(o.review_comment),
                o.updated_at.isoformat(),
            ]
        )
