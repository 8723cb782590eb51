"""CSV export of observations, safe to open in a spreadsheet.

Text cells that begin with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) are prefixed with a single quote so a spreadsheet shows them as text
instead of running them as formulas. Numbers are written by the platform from
decimal values and are left as numbers (a negative value stays ``-2.5``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from measurement.models import Observation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "community", "measure_code", "site_code", "period", "stratifier", "category",
    "numerator", "denominator", "value", "comment", "status", "review_comment", "updated_at",
]  # fmt: skip


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will not evaluate."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _number(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(observations: Iterable[Observation]) -> Iterator[str]:
    """The export, line by line (for a streaming response)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for o in observations:
        yield writer.writerow(
            [
                neutralise(o.measure.community.slug),
                neutralise(o.measure.code),
                neutralise(o.site.code),
                o.period.isoformat(),
                neutralise(o.category.stratifier.code) if o.category_id else "",
                neutralise(o.category.code) if o.category_id else "",
                _number(o.numerator),
                _number(o.denominator),
                _number(o.value),
                neutralise(o.comment),
                o.status,
                neutralise(o.review_comment),
                o.updated_at.isoformat(),
            ]
        )
