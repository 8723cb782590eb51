"""The portfolio as a table for spreadsheets: one header and one row per CoP, shared by
the CSV and XLSX downloads (through copcore.spreadsheet, so no cell is ever evaluated
as a formula) and matching the page's columns."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from copcore import spreadsheet
from dashboards.selectors.portfolio import PortfolioRow


def header() -> list[str]:
    return [
        _("Community"), _("Topic"), _("Phase"), _("Months in phase"),
        _("Expected results"), _("Achieved"), _("Partly achieved"), _("Not achieved"),
        _("Progress median this month"), _("Progress median last month"),
        _("Change since last month"),
        _("Site teams rated this month"), _("Progress distribution"),
        _("Key measures with a special-cause signal"), _("Vitality"),
        _("Sites with complete data"), _("Enrolled sites"),
        _("Overdue action items"), _("Open escalations"),
    ]  # fmt: skip


def _num(value: Any) -> Any:
    return float(value) if value is not None else None


def row_values(row: PortfolioRow) -> list[Any]:
    signals = (
        "; ".join(f"{s.name}: {s.state_text}" for s in row.signals if s.state != "common")
        if row.signals is not None
        else _("Not visible to you")
    )
    return [
        row.community.name,
        row.community.topic,
        row.phase_label,
        row.months_in_phase,
        row.results_total,
        row.results_status.get("achieved", 0),
        row.results_status.get("partly", 0),
        row.results_status.get("not", 0),
        _num(row.progress_median),
        _num(row.progress_median_before),
        _num(row.progress_change),
        row.progress_rated,
        row.progress_text,
        signals,
        row.vitality_text,
        row.sites_complete,
        row.sites,
        row.overdue_actions,
        row.open_escalations,
    ]


def csv_text(rows: list[PortfolioRow]) -> str:
    return spreadsheet.csv_text(header(), [row_values(r) for r in rows])


def xlsx_bytes(rows: list[PortfolioRow]) -> bytes:
    book = spreadsheet.XlsxBook()
    sheet = book.sheet(_("Portfolio"), header())
    for row in rows:
        sheet.append(row_values(row))
    return book.to_bytes()
