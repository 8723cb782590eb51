"""Import problems grouped by kind: one line per (code, column) with its row ranges.

A file with the same mistake on 300 rows gets one message ("period: 300 rows, lines
2-301, not a date when read day/month/year") instead of 300 identical ones. Groups are
built during validation (``Group.add`` is O(1) per row) and stored in the batch report
as plain JSON; what each kind means is translated when the page is shown, in the
reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MAX_RANGES = 20  # ranges kept per group; the row count stays exact

DESCRIPTIONS = {
    "unknown_measure": _("unknown measure code"),
    "missing_measure": _("no measure code"),
    "unknown_site": _("site not enrolled in this community"),
    "missing_site": _("no site code"),
    "missing_period": _("no period"),
    "invalid_period": _("not a date"),
    "period_not_aligned": _("not the first day of the measure's period"),
    "missing_stratifier": _("category without its stratifier"),
    "missing_category": _("stratifier without a category"),
    "unknown_category": _("unknown category"),
    "stratifier_not_applicable": _("stratifier that does not apply to the measure"),
    "invalid_number": _("not a number"),
    "comment_too_long": _("comment too long"),
    "duplicate_row": _("row repeated earlier in the file"),
    "negative_count": _("negative number"),
    "missing_numerator": _("no numerator"),
    "missing_denominator": _("no denominator"),
    "zero_denominator": _("denominator of zero"),
    "numerator_gt_denominator": _("numerator greater than the denominator"),
    "missing_value": _("no value"),
    "value_outlier": _("value far outside the site's history"),
    "unused_column": _("column not in the layout"),
    "missing_column": _("required column missing"),
    "empty_file": _("no data"),
    "unreadable_file": _("file cannot be read"),
}


@dataclass(slots=True)
class Group:
    code: str
    column: str
    count: int = 0
    ranges: list[list[int]] = field(default_factory=list)
    example: str = ""
    example_line: int = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if not self.example:
            self.example, self.example_line = message, line
        ranges = self.ranges
        if ranges and ranges[-1][1] in (line, line - 1):
            ranges[-1][1] = line
        elif len(ranges) < MAX_RANGES:
            ranges.append([line, line])

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "column": self.column,
            "count": self.count,
            "ranges": self.ranges,
            "example": self.example,
            "example_line": self.example_line,
        }


class Groups:
    """The groups of one kind (errors or warnings), in order of first appearance."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], Group] = {}

    def add(self, line: int, column: str, code: str, message: str) -> None:
        group = self.by_key.get((code, column))
        if group is None:
            group = self.by_key[(code, column)] = Group(code, column)
        group.add(line, message)

    def as_json(self) -> list[dict[str, Any]]:
        return [group.as_json() for group in self.by_key.values()]


def _lines(group: dict[str, Any]) -> str:
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in group.get("ranges", [])]
    covered = sum(b - a + 1 for a, b in group.get("ranges", []))
    text = ", ".join(parts)
    return f"{text}, …" if covered < group.get("count", 0) else text


def order_label(order: str | None) -> str:
    """day/month/year or month/day/year, in the reader's language."""
    from measurement.dates import MDY

    return str(_("month/day/year") if order == MDY else _("day/month/year"))


def describe(
    groups: list[dict[str, Any]] | None, date_order: str | None = None
) -> list[dict[str, Any]]:
    """The stored groups with what the page shows: the kind in words, the rows
    counted, the line ranges and one example message."""
    described = []
    for group in groups or []:
        count = group.get("count", 0)
        code = group.get("code", "")
        kind = DESCRIPTIONS.get(code, code)
        if code == "invalid_period" and date_order:
            kind = _("not a date when read as %(reading)s") % {"reading": order_label(date_order)}
        described.append(
            {
                **group,
                "kind": kind,
                "rows": ngettext("%(n)s row", "%(n)s rows", count) % {"n": count},
                "lines": _lines(group),
            }
        )
    return described
