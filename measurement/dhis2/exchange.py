"""Approved observations in DHIS2's exchange formats, and sending them to the server.

The mapping is read backwards: a measure's numerator, denominator and value go to the
data elements they come from, a site to its organisation unit, a stratum to its
category option combo (a total has none: DHIS2's default). Indicators are computed by
DHIS2 and cannot be written, so a measure mapped to an indicator is not sent.

Formats: ``dataValueSets`` JSON and CSV (the column order DHIS2's CSV import reads)
and ADX XML (``urn:ihe:qrph:adx:2015``; periods as ISO 8601 intervals, strata as a
``categoryOptionCombo`` attribute). ADX files are read back by :func:`read_adx` with
a parser that resolves no entities and opens no network. Sending posts the JSON with
``dryRun=true`` first; the import summary is shown to the steward before the real send.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

from copcore.models import User
from copcore.services import audit_record
from measurement.dhis2.services import can_map, client_for
from measurement.dhis2_periods import (
    PeriodError,
    format_adx_period,
    format_dhis2_period,
    parse_dhis2_period,
)
from measurement.models import Dhis2Connection, Dhis2Mapping, Observation

ADX_NS = "urn:ihe:qrph:adx:2015"
CSV_HEADER = (
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)


@dataclass(frozen=True)
class DataValue:
    data_element: str
    period: dt.date
    frequency: str
    org_unit: str
    option_combo: str
    value: Decimal

    def period_id(self) -> str:
        return format_dhis2_period(self.period, self.frequency)


def _text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def approved_values(*, mapping: Dhis2Mapping) -> list[DataValue]:
    """The mapping's approved observations as DHIS2 data values, in a stable order."""
    units = {m.site_id: m.org_unit for m in mapping.sites.all()}
    combos = {c.category_id: c.option_combo for c in mapping.categories.all()}
    targets = {
        m.measure_id: (m.numerator_item, m.denominator_item, m.value_item)
        for m in mapping.measures.select_related("measure")
        if not m.indicator
    }
    observations = Observation.objects.filter(
        measure_id__in=targets,
        site_id__in=units,
        status=Observation.Status.APPROVED,
    ).select_related("measure")
    values = []
    for obs in observations:
        if obs.category_id is not None and obs.category_id not in combos:
            continue
        combo = combos.get(obs.category_id, "") if obs.category_id else ""
        for element, figure in zip(
            targets[obs.measure_id], (obs.numerator, obs.denominator, obs.value), strict=True
        ):
            if element and figure is not None:
                values.append(
                    DataValue(
                        data_element=element,
                        period=obs.period,
                        frequency=obs.measure.frequency,
                        org_unit=units[obs.site_id],
                        option_combo=combo,
                        value=figure,
                    )
                )
    values.sort(key=lambda v: (v.data_element, v.org_unit, v.period, v.option_combo))
    return values


def data_value_set(values: list[DataValue], *, data_set: str = "") -> dict[str, Any]:
    """The ``dataValueSets`` JSON body (also what is posted)."""
    body: dict[str, Any] = {}
    if data_set:
        body["dataSet"] = data_set
    rows = []
    for v in values:
        row = {
            "dataElement": v.data_element,
            "period": v.period_id(),
            "orgUnit": v.org_unit,
            "value": _text(v.value),
        }
        if v.option_combo:
            row["categoryOptionCombo"] = v.option_combo
        rows.append(row)
    body["dataValues"] = rows
    return body


def data_value_csv(values: list[DataValue]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for v in values:
        writer.writerow(
            [v.data_element, v.period_id(), v.org_unit, v.option_combo, "", _text(v.value)]
            + [""] * 4
        )
    return buffer.getvalue()


def adx_document(values: list[DataValue], *, data_set: str = "") -> bytes:
    """ADX XML: one ``group`` per organisation unit and period."""
    root = ET.Element(
        "adx", {"xmlns": ADX_NS, "exported": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    groups: dict[tuple[str, str], ET.Element] = {}
    for v in values:
        period = format_adx_period(v.period, v.frequency)
        key = (v.org_unit, period)
        group = groups.get(key)
        if group is None:
            attributes = {"orgUnit": v.org_unit, "period": period}
            if data_set:
                attributes["dataSet"] = data_set
            group = groups[key] = ET.SubElement(root, "group", attributes)
        attributes = {"dataElement": v.data_element, "value": _text(v.value)}
        if v.option_combo:
            attributes["categoryOptionCombo"] = v.option_combo
        ET.SubElement(group, "dataValue", attributes)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class AdxProblem(ValueError):
    """An ADX file that cannot be read (the message says where)."""


def read_adx(content: bytes, frequencies: dict[str, str]) -> list[DataValue]:
    """Read an ADX document back into data values. ``frequencies`` maps each expected
    data element to its measure's frequency: a period of another length is refused."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise AdxProblem(_("This is not an ADX (XML) file.")) from error
    if root.getroottree().docinfo.doctype:
        # ADX has no document type; one here could only define entities.
        raise AdxProblem(_("An ADX file must not declare a document type."))
    if etree.QName(root).namespace != ADX_NS or etree.QName(root).localname != "adx":
        raise AdxProblem(_("This is not an ADX file (its root is not adx)."))
    values = []
    for group in root.iterfind(f"{{{ADX_NS}}}group"):
        org_unit = group.get("orgUnit", "")
        try:
            period = parse_dhis2_period(group.get("period", ""))
        except PeriodError as error:
            raise AdxProblem(str(error)) from error
        for item in group.iterfind(f"{{{ADX_NS}}}dataValue"):
            element = item.get("dataElement", "")
            frequency = frequencies.get(element)
            if frequency is None or period.kind != frequency:
                raise AdxProblem(
                    _("Line %(line)s: unknown data element or period.") % {"line": item.sourceline}
                )
            values.append(
                DataValue(
                    data_element=element,
                    period=period.start,
                    frequency=frequency,
                    org_unit=org_unit,
                    option_combo=item.get("categoryOptionCombo", ""),
                    value=Decimal(item.get("value", "0")),
                )
            )
    values.sort(key=lambda v: (v.data_element, v.org_unit, v.period, v.option_combo))
    return values


@dataclass(frozen=True)
class PushSummary:
    """What DHIS2's import summary said, in the fields the page shows."""

    dry_run: bool
    status: str
    imported: int
    updated: int
    ignored: int
    sent: int
    conflicts: list[dict[str, str]]

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "status": self.status,
            "imported": self.imported,
            "updated": self.updated,
            "ignored": self.ignored,
            "sent": self.sent,
            "conflicts": self.conflicts,
        }


def _summary(answer: dict[str, Any], *, dry_run: bool, sent: int) -> PushSummary:
    # DHIS2 2.38+ wraps the summary in a web message ("response"); older ones do not.
    wrapped = answer.get("response")
    summary: dict[str, Any] = wrapped if isinstance(wrapped, dict) else answer
    counts = summary.get("importCount") or {}
    conflicts = [
        {"object": str(c.get("object", ""))[:200], "value": str(c.get("value", ""))[:500]}
        for c in (summary.get("conflicts") or [])[:50]
        if isinstance(c, dict)
    ]
    return PushSummary(
        dry_run=dry_run,
        status=str(summary.get("status", ""))[:20],
        imported=int(counts.get("imported") or 0),
        updated=int(counts.get("updated") or 0),
        ignored=int(counts.get("ignored") or 0),
        sent=sent,
        conflicts=conflicts,
    )


def push(*, actor: User, mapping: Dhis2Mapping, dry_run: bool) -> PushSummary:
    """Send the approved values (``dryRun`` first, then for real), where the
    organization allows sending. Raises Dhis2Error when the server fails."""
    if not can_map(actor, mapping.community):
        raise PermissionDenied
    connection = Dhis2Connection.objects.filter(organization=mapping.organization).first()
    if connection is None or not connection.push_enabled:
        raise ValidationError(_("Sending data to DHIS2 is not enabled for this organization."))
    values = approved_values(mapping=mapping)
    if not values:
        raise ValidationError(_("There are no approved values to send."))
    answer = client_for(connection).post_data_value_set(
        data_value_set(values, data_set=mapping.data_set), dry_run=dry_run
    )
    summary = _summary(answer, dry_run=dry_run, sent=len(values))
    with transaction.atomic():
        audit_record(
            organization=mapping.organization,
            actor=actor,
            verb="measurement.dhis2_pushed",
            target=mapping,
            data={k: v for k, v in summary.as_json().items() if k != "conflicts"}
            | {"conflict_count": len(summary.conflicts)},
        )
    return summary
