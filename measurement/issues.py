"""Import problems: what each one says, and the problems grouped by kind.

Problems are stored as a code and parameters (``{"code": "not_whole", "params":
{"text": "1.806", "hint": "1806"}}``), never as rendered text: a file checked by the
worker in English is read on the check page in Spanish, French or Portuguese.
``message_text`` renders one in the active language; ``MESSAGES`` holds the sentences.
Reports stored before the codes existed keep their English ``message`` as a fallback.

A file with the same mistake on 300 rows gets one line ("period: 300 rows, lines
2-301, not a date when read day/month/year") instead of 300 identical ones. Groups are
built during validation (``Group.add`` is O(1) per row) and stored in the batch report
as plain JSON; what each kind means is translated when the page is shown, in the
reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from measurement import dhis2_periods, numbers

MAX_RANGES = 20  # ranges kept per group; the row count stays exact

DESCRIPTIONS = {
    "unknown_measure": _("unknown measure code"),
    "missing_measure": _("no measure code"),
    "rare_events_measure": _("a rare-events measure (record its events)"),
    "not_rare_events_measure": _("not a rare-events measure"),
    "missing_event_date": _("no event date"),
    "invalid_event_date": _("event date not read"),
    "future_event_date": _("event date in the future"),
    "category_too_long": _("category too long"),
    "negative_opportunities": _("negative number"),
    "unknown_site": _("site not enrolled in this community"),
    "missing_site": _("no site code"),
    "missing_period": _("no period"),
    "invalid_period": _("not a date"),
    "invalid_dhis2_period": _("not a DHIS2 period"),
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
    "not_whole": _("not a whole number"),
    "ambiguous_number": _("figure that cannot be read with certainty"),
}

# What each problem says, by its code (or by ``msg`` where one code has several
# sentences). The parameters named in LOCALISED_PARAMS are stored as data and written
# in the reader's language when shown.
MESSAGES = {
    "unknown_measure": _("Unknown measure “%(code)s” in this community."),
    "missing_measure": _("The measure is missing."),
    "not_rare_events_measure": _(
        "“%(code)s” is not a rare-events measure: a file with an event_date column holds "
        "only events; send figures per period in the usual layout."
    ),
    "missing_event_date": _("The date of the event is missing."),
    "invalid_event_date": _("“%(text)s” is not the date of a day: write YYYY-MM-DD."),
    "future_event_date": _("The event's date, %(date)s, is in the future."),
    "category_too_long": _("Keep the category under %(n)s characters."),
    "negative_opportunities": _("The opportunities between events cannot be negative."),
    "rare_events_measure": _(
        "“%(code)s” records rare events: record the date of each event on its events "
        "page or through the API; its counts per period are derived from them."
    ),
    "unknown_site": _("Unknown site “%(code)s”: it is not enrolled in this community."),
    "missing_site": _("The site is missing."),
    "missing_period": _("The period is missing."),
    "invalid_period": _("“%(text)s” is not a date: write YYYY-MM-DD."),
    "invalid_period_read": _(
        "“%(text)s” is not a date when read as %(reading)s: write "
        "YYYY-MM-DD, %(reading)s or a month and year such as “Mar 2024”."
    ),
    "period_not_aligned": _(
        "%(date)s is not the start of a %(frequency)s period: use %(aligned)s."
    ),
    "period_kind_mismatch": _(
        "“%(text)s” is a %(kind)s period, but this measure is %(frequency)s: "
        "write its %(frequency)s periods."
    ),
    **{f"dhis2_{code}": message for code, message in dhis2_periods.MESSAGES.items()},
    "missing_stratifier": _("A category needs its stratifier."),
    "missing_category": _("A stratifier needs a category."),
    "unknown_category": _("Unknown category “%(category)s” of stratifier “%(stratifier)s”."),
    "stratifier_not_applicable": _(
        "Stratifier “%(stratifier)s” does not apply to measure “%(measure)s”."
    ),
    "invalid_number": _("“%(text)s” is not a number."),
    "invalid_number_read": _("“%(text)s” is not a number written with %(convention)s."),
    "ambiguous_number": _(
        "“%(text)s” cannot be read with certainty: this file writes some figures with a "
        "decimal point and others with a decimal comma. Write it without thousands "
        "separators, or choose how to read the figures."
    ),
    "not_whole": _("%(text)s is not a whole number: did you mean %(hint)s?"),
    "not_whole_no_hint": _(
        "%(text)s is not a whole number: numerators, denominators and counts are whole numbers."
    ),
    "comment_too_long": _("The comment is longer than %(n)s characters."),
    "duplicate_row": _(
        "This measure, site, period and category already appear earlier in the file."
    ),
    "existing": _("%(measure)s at %(site)s for %(period)s already has a value."),
    "value_outlier": _(
        "%(value)s is far outside this site's history "
        "(mean %(mean)s, usual range %(low)s to %(high)s)."
    ),
    "negative_count": _("Counts cannot be negative."),
    "negative_days": _("Days between events cannot be negative."),
    "missing_numerator": _("The numerator is missing."),
    "missing_denominator": _("The denominator is missing."),
    "zero_denominator": _(
        "The denominator is zero: leave the period out when nobody was eligible."
    ),
    "numerator_gt_denominator": _("The numerator (%(n)s) is greater than the denominator (%(d)s)."),
    "missing_value": _("The value is missing."),
    "unused_column": _("Column “%(column)s” is not part of the layout and was ignored."),
    "missing_column": _(
        "Required column(s) missing from the header: %(columns)s. Expected: %(layout)s."
    ),
    "empty_file": _("The file has no data rows."),
    "empty_file_header": _("The file has no header line."),
    "unreadable_file": _("The file cannot be read as CSV or XLSX."),
}
NUMBER_PARAMS = frozenset({"n", "d", "value", "mean", "low", "high"})


def convention_label(convention: str | None) -> str:
    """a decimal point (1,234.5) or a decimal comma (1.234,5), in the reader's language."""
    if convention == numbers.COMMA:
        return str(_("a decimal comma (1.234,5)"))
    return str(_("a decimal point (1,234.5)"))


def _localised(params: dict[str, Any]) -> dict[str, Any]:
    from measurement.models import Measure

    shown = dict(params)
    for key, value in params.items():
        if key == "reading":
            shown[key] = order_label(value)
        elif key == "convention":
            shown[key] = convention_label(value)
        elif key == "kind" and value in dhis2_periods.KIND_LABELS:
            shown[key] = str(dhis2_periods.KIND_LABELS[value])
        elif key == "frequency" and value in Measure.Frequency.values:
            shown[key] = str(Measure.Frequency(value).label).lower()
        elif key in NUMBER_PARAMS and isinstance(value, (int, float)):
            shown[key] = numbers.format_number(value, get_language())
    return shown


def message_text(entry: dict[str, Any] | str | None, code: str = "") -> str:
    """One stored problem as a sentence in the active language. ``entry`` holds
    ``params`` (and ``msg`` where the code has several sentences); a report stored
    before the codes existed has only its English ``message`` (or, for a group's
    example, a plain string), which is shown as it is."""
    if entry is None:
        return ""
    if isinstance(entry, str):
        return entry
    params = entry.get("params")
    template = MESSAGES.get(entry.get("msg") or entry.get("code") or code)
    if template is None or not isinstance(params, dict):
        return str(entry.get("message") or DESCRIPTIONS.get(code, code))
    try:
        return str(template) % _localised(params)
    except (KeyError, TypeError, ValueError):  # a hand-edited or truncated report
        return str(entry.get("message") or template)


def with_messages(entries: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Stored problems with their ``message`` written in the active language."""
    return [{**entry, "message": message_text(entry)} for entry in entries or []]


@dataclass(slots=True)
class Group:
    code: str
    column: str
    count: int = 0
    ranges: list[list[int]] = field(default_factory=list)
    example: dict[str, Any] | None = None  # {"params": ..., "msg": ...}: see message_text
    example_line: int = 0

    def add(self, line: int, message: dict[str, Any]) -> None:
        self.count += 1
        if self.example is None:
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

    def add(self, line: int, column: str, code: str, message: dict[str, Any]) -> None:
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
                "example": message_text(group.get("example"), code),
            }
        )
    return described
