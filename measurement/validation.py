"""Row validation shared by file imports, the API and the data-entry grid.

One ``ValidationContext`` is loaded per batch (measures, enrolled sites, categories,
keys of existing observations, each site's history) so that checking a row is a
few dictionary look-ups: a 1,000,000-row file is validated in one streaming pass.

Keys of rows (measure, site, period, category) are packed into one Python int from
small dense indices, so the "repeated within the file" and "already exists" sets
cost about 60 bytes per row (measured by ``bench/import_bench.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection

from communities.models import Community
from measurement import numbers
from measurement.dates import parse_date
from measurement.dhis2_periods import PeriodError
from measurement.issues import Groups
from measurement.models import Measure, Observation, SiteEnrolment, StratifierCategory
from measurement.period_forms import kind_mismatch, read_dhis2
from measurement.periods import align, parse_period, period_label

# The documented file layout, in order. Only the first three are required.
COLUMNS = (
    "measure_code",
    "site_code",
    "period",
    "stratifier",
    "category",
    "numerator",
    "denominator",
    "value",
    "comment",
)
REQUIRED_COLUMNS = ("measure_code", "site_code", "period")
#: The layout of a file of rare events (``measurement.event_import``): one row per event.
EVENT_COLUMNS = ("measure_code", "site_code", "event_date", "category", "opportunities")
EVENT_REQUIRED_COLUMNS = ("measure_code", "site_code", "event_date")
FIGURE_COLUMNS = ("numerator", "denominator", "value")
COLUMN_ALIASES = {
    "measure": "measure_code",
    "site": "site_code",
    "stratum": "category",
    "date_of_event": "event_date",
}

MAX_NUMBER = 1e14  # numeric(18, 4)
MAX_COMMENT = 2000
OUTLIER_SIGMAS = 4.0
OUTLIER_MIN_HISTORY = 6
NULL = "\\N"  # NULL in COPY text format
REPORT_LIMIT = 500  # messages kept per kind; the counts are always exact
MAX_UNKNOWN_CODES = 100  # distinct unknown codes of each kind offered for mapping

RATIO_TYPES = (Measure.ValueType.PROPORTION, Measure.ValueType.RATE)
NON_NEGATIVE_VALUE_TYPES = (Measure.ValueType.COUNT, Measure.ValueType.DAYS_BETWEEN)


@dataclass(slots=True)
class MeasureInfo:
    index: int
    id: int
    code: str
    value_type: str
    frequency: str
    stratifier_ids: frozenset[int]


@dataclass
class Report:
    """Counts and (capped) row-level messages of one validation pass."""

    total_rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    warning_count: int = 0
    existing_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    existing: list[dict[str, Any]] = field(default_factory=list)
    error_codes: dict[str, int] = field(default_factory=dict)
    warning_codes: dict[str, int] = field(default_factory=dict)
    error_groups: Groups = field(default_factory=Groups)
    warning_groups: Groups = field(default_factory=Groups)
    date_reading: dict[str, Any] | None = None  # measurement.dates.Reading.as_json()
    number_reading: dict[str, Any] | None = None  # measurement.numbers.NumberReading
    header: list[str] = field(default_factory=list)  # the file's own column names
    # Distinct codes the CoP does not know (capped): what the check page offers to map.
    unknown: dict[str, dict[str, int]] = field(
        default_factory=lambda: {"measure": {}, "site": {}, "category": {}}
    )

    def unknown_code(self, kind: str, code: str) -> None:
        seen = self.unknown[kind]
        if code in seen:
            seen[code] += 1
        elif len(seen) < MAX_UNKNOWN_CODES:
            seen[code] = 1

    layout: str = ""  # "events" for a file of rare events (measurement.event_import)

    def error(
        self,
        line: int,
        column: str,
        code: str,
        params: dict[str, Any] | None = None,
        msg: str = "",
    ) -> None:
        """Record an error as its code and parameters (``issues.MESSAGES`` words it when
        it is shown, in the reader's language); ``msg`` picks another sentence of the code."""
        self.error_count += 1
        self.error_codes[code] = self.error_codes.get(code, 0) + 1
        message = _message(params, msg)
        self.error_groups.add(line, column, code, message)
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append({"line": line, "column": column, "code": code, **message})

    def warning(
        self,
        line: int,
        column: str,
        code: str,
        params: dict[str, Any] | None = None,
        msg: str = "",
    ) -> None:
        self.warning_count += 1
        self.warning_codes[code] = self.warning_codes.get(code, 0) + 1
        message = _message(params, msg)
        self.warning_groups.add(line, column, code, message)
        if len(self.warnings) < REPORT_LIMIT:
            self.warnings.append({"line": line, "column": column, "code": code, **message})

    def exists(self, line: int, params: dict[str, Any]) -> None:
        self.existing_count += 1
        if len(self.existing) < REPORT_LIMIT:
            self.existing.append({"line": line, "code": "existing", "params": params})

    def as_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"date_reading": self.date_reading} if self.date_reading else {}
        if self.number_reading:
            extra["number_reading"] = self.number_reading
        if self.header:
            extra["header"] = self.header
        if any(self.unknown.values()):
            extra["unknown"] = {
                kind: sorted(codes, key=lambda code: (-codes[code], code))
                for kind, codes in self.unknown.items()
            }
        if self.layout:
            extra["layout"] = self.layout
        return {
            **extra,
            "error_groups": self.error_groups.as_json(),
            "warning_groups": self.warning_groups.as_json(),
            "errors": self.errors,
            "warnings": self.warnings,
            "existing": self.existing,
            "error_codes": self.error_codes,
            "warning_codes": self.warning_codes,
            "truncated": self.error_count > len(self.errors)
            or self.warning_count > len(self.warnings)
            or self.existing_count > len(self.existing),
        }


def _message(params: dict[str, Any] | None, msg: str) -> dict[str, Any]:
    message: dict[str, Any] = {"params": params or {}}
    if msg:
        message["msg"] = msg
    return message


def _norm(code: str) -> str:
    return code.strip().casefold()


class ValidationContext:
    """Everything a row check needs, loaded once with a constant number of queries."""

    def __init__(
        self, *, community: Community, load_existing: bool = True, profile: Any = None
    ) -> None:
        """``profile`` (an ``ImportProfile``) adds the file's own codes as other names
        of the CoP's (``measurement.import_profiles.apply_to_context``)."""
        self.community = community
        measures = list(
            Measure.objects.filter(community=community, is_active=True)
            .prefetch_related("stratifiers")
            .order_by("id")
        )
        self.measures: dict[str, MeasureInfo] = {}
        self.measure_by_id: dict[int, MeasureInfo] = {}
        for index, measure in enumerate(measures):
            info = MeasureInfo(
                index=index,
                id=measure.id,
                code=measure.code,
                value_type=measure.value_type,
                frequency=measure.frequency,
                stratifier_ids=frozenset(s.id for s in measure.stratifiers.all()),
            )
            self.measures[_norm(measure.code)] = info
            self.measure_by_id[measure.id] = info
        enrolments = SiteEnrolment.objects.filter(community=community).select_related("site")
        self.sites: dict[str, tuple[int, int]] = {}  # code -> (index, id)
        self.site_index: dict[int, int] = {}
        for index, enrolment in enumerate(enrolments.order_by("site_id")):
            self.sites[_norm(enrolment.site.code)] = (index, enrolment.site_id)
            self.site_index[enrolment.site_id] = index
        categories = StratifierCategory.objects.filter(
            organization=community.organization
        ).select_related("stratifier")
        self.stratifiers: dict[str, int] = {}
        self.categories: dict[tuple[str, str], tuple[int, int, int]] = {}
        self.category_index: dict[int, int] = {}
        for index, category in enumerate(categories.order_by("id"), start=1):
            self.stratifiers[_norm(category.stratifier.code)] = category.stratifier_id
            self.categories[(_norm(category.stratifier.code), _norm(category.code))] = (
                index,
                category.id,
                category.stratifier_id,
            )
            self.category_index[category.id] = index
        if profile is not None:
            from measurement.import_profiles import apply_to_context

            apply_to_context(self, profile)
        self.n_measures = max(1, len(measures))
        self.n_sites = max(1, len(self.sites))
        self.n_categories = len(self.category_index) + 1
        self.existing: set[int] = set()
        self.history: dict[tuple[int, int, int], tuple[float, float, int]] = {}
        if load_existing and measures and self.sites:
            self._load_existing()
            self._load_history()

    def key(self, measure_index: int, site_index: int, period: dt.date, category_index: int) -> int:
        return (
            (period.toordinal() * self.n_measures + measure_index) * self.n_sites + site_index
        ) * self.n_categories + category_index

    def _load_existing(self) -> None:
        rows = (
            Observation.objects.filter(
                measure_id__in=self.measure_by_id, site_id__in=self.site_index
            )
            .values_list("measure_id", "site_id", "period", "category_id")
            .iterator(chunk_size=20_000)
        )
        measures, sites, cats = self.measure_by_id, self.site_index, self.category_index
        add, key = self.existing.add, self.key
        for measure_id, site_id, period, category_id in rows:
            add(
                key(
                    measures[measure_id].index,
                    sites[site_id],
                    period,
                    cats.get(category_id, 0) if category_id else 0,
                )
            )

    def _load_history(self) -> None:
        """Mean and standard deviation of each (measure, site, stratum) series so far."""
        sql = """
            SELECT measure_id, site_id, category_id, count(*), avg(x), stddev_samp(x)
            FROM (
                SELECT o.measure_id, o.site_id, o.category_id,
                       CASE WHEN m.value_type IN ('proportion', 'rate')
                            THEN o.numerator / NULLIF(o.denominator, 0)
                            ELSE o.value END AS x
                FROM measurement_observation o
                JOIN measurement_measure m ON m.id = o.measure_id
                WHERE m.community_id = %s AND o.organization_id = %s
                  AND o.status IN ('submitted', 'approved')
            ) AS series
            WHERE x IS NOT NULL
            GROUP BY measure_id, site_id, category_id
            HAVING count(*) >= %s
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [self.community.id, self.community.organization_id, OUTLIER_MIN_HISTORY],
            )
            for measure_id, site_id, category_id, count, mean, sd in cursor.fetchall():
                if measure_id in self.measure_by_id and site_id in self.site_index:
                    self.history[(measure_id, site_id, category_id or 0)] = (
                        float(mean),
                        float(sd or 0.0),
                        count,
                    )


def parse_number(text: str, convention: str = numbers.POINT) -> tuple[Decimal, str]:
    """(value, text for PostgreSQL) of a figure written in ``convention`` (see
    ``measurement.numbers``). Raises ``numbers.NumberProblem`` (a ValueError) for
    anything that is not a finite figure of that convention within the column's range."""
    number = numbers.read_number(text, convention)
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise numbers.NumberProblem(text)
    return number, numbers.plain(number)


def _copy_escape(text: str) -> str:
    """Escape a value for COPY's text format."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _figure(number: Decimal | float) -> float:
    """A figure for a message: four significant digits, as a number (``issues``
    writes it in the reader's language)."""
    return float(f"{float(number):.4g}")


class RowChecker:
    """Checks rows one by one and turns each valid one into a line of COPY text.

    Staged line layout (tab-separated, ``\\N`` for NULL): source line, measure id,
    site id, period, category id, numerator, denominator, value, comment.
    """

    def __init__(
        self,
        context: ValidationContext,
        report: Report,
        date_order: str | None = None,
        number_reading: numbers.NumberReading | None = None,
    ) -> None:
        """``date_order`` (``dates.DMY`` or ``dates.MDY``) reads the spreadsheet date
        forms of ``measurement.dates``; without it only ISO periods are accepted (the
        API and the data-entry grid). ``number_reading`` says how figures written as
        text are read (the file's convention, or the grid's language); without it a
        decimal point, as in JSON (the API)."""
        self.context = context
        self.report = report
        self.date_order = date_order
        self.number_reading = number_reading or numbers.NumberReading(
            numbers.POINT, numbers.BASIS_NONE
        )
        self.seen: set[int] = set()

    def _read_figures(
        self, line: int, measure: MeasureInfo | None, texts: tuple[str, str, str]
    ) -> tuple[list[Decimal | None], list[str]] | None:
        """The numerator, denominator and value of a row, or None after reporting why
        one cannot be read. Numerators, denominators and counts must be whole."""
        report = self.report
        reading = self.number_reading
        convention = reading.convention
        figures: list[Decimal | None] = [None, None, None]
        outputs = [NULL, NULL, NULL]
        ok = True
        for position, (column, text) in enumerate(zip(FIGURE_COLUMNS, texts, strict=True)):
            if not isinstance(text, numbers.ExactNumber):
                text = text.strip()
            if not text:
                continue
            if reading.refuses_ambiguous and numbers.is_ambiguous(text):
                ok = False
                report.error(line, column, "ambiguous_number", {"text": text})
                continue
            try:
                number, normalized = parse_number(text, convention)
            except ValueError:
                ok = False
                other = numbers.readings(text).get(numbers.other(convention))
                if other is not None and abs(other) < MAX_NUMBER:
                    params = {"text": text, "convention": convention}
                    report.error(line, column, "invalid_number", params, "invalid_number_read")
                else:
                    report.error(line, column, "invalid_number", {"text": text})
                continue
            must_be_whole = column != "value" or (
                measure is not None and measure.value_type == Measure.ValueType.COUNT
            )
            if must_be_whole and not numbers.is_whole(number):
                ok = False
                hint = numbers.whole_number_hint(text, convention)
                if hint:
                    report.error(line, column, "not_whole", {"text": text, "hint": hint})
                else:
                    report.error(line, column, "not_whole", {"text": text}, "not_whole_no_hint")
                continue
            figures[position], outputs[position] = number, normalized
        return (figures, outputs) if ok else None

    def check(self, line: int, cells: tuple[str, ...]) -> str | None:  # noqa: C901
        (
            measure_code,
            site_code,
            period_text,
            stratifier_code,
            category_code,
            numerator_text,
            denominator_text,
            value_text,
            comment,
        ) = cells
        report = self.report
        context = self.context
        report.total_rows += 1
        errors_before = report.error_count

        measure = context.measures.get(_norm(measure_code)) if measure_code else None
        if measure is None:
            if measure_code.strip():
                report.error(line, "measure_code", "unknown_measure", {"code": measure_code})
                report.unknown_code("measure", measure_code.strip())
            else:
                report.error(line, "measure_code", "missing_measure")
        elif measure.value_type == Measure.ValueType.RARE_EVENTS:
            report.error(line, "measure_code", "rare_events_measure", {"code": measure_code})
        site = context.sites.get(_norm(site_code)) if site_code else None
        if site is None:
            if site_code.strip():
                report.error(line, "site_code", "unknown_site", {"code": site_code})
                report.unknown_code("site", site_code.strip())
            else:
                report.error(line, "site_code", "missing_site")

        period: dt.date | None = None
        if not period_text.strip():
            report.error(line, "period", "missing_period")
        else:
            try:
                dhis2 = read_dhis2(period_text)
                if dhis2 is not None:
                    period = dhis2.start
                    if measure is not None and kind_mismatch(dhis2, measure.frequency):
                        period = None
                        report.error(
                            line,
                            "period",
                            "period_not_aligned",
                            {
                                "text": period_text.strip(),
                                "kind": dhis2.kind,
                                "frequency": measure.frequency,
                            },
                            "period_kind_mismatch",
                        )
                elif self.date_order is None:
                    period = parse_period(period_text)
                else:
                    period = parse_date(period_text, self.date_order)
            except PeriodError as error:
                report.error(
                    line, "period", "invalid_dhis2_period", error.params, f"dhis2_{error.code}"
                )
            except ValueError:
                if self.date_order is None:
                    report.error(line, "period", "invalid_period", {"text": period_text})
                else:
                    report.error(
                        line,
                        "period",
                        "invalid_period",
                        {"text": period_text, "reading": self.date_order},
                        "invalid_period_read",
                    )
            if period is not None and measure is not None:
                aligned = align(measure.frequency, period)
                if aligned != period:
                    report.error(
                        line,
                        "period",
                        "period_not_aligned",
                        {
                            "date": period.isoformat(),
                            "frequency": measure.frequency,
                            "aligned": aligned.isoformat(),
                        },
                    )

        category_index, category_id = 0, None
        stratifier_code = stratifier_code.strip()
        category_code = category_code.strip()
        if stratifier_code or category_code:
            if not stratifier_code:
                report.error(line, "stratifier", "missing_stratifier")
            elif not category_code:
                report.error(line, "category", "missing_category")
            else:
                found = context.categories.get((_norm(stratifier_code), _norm(category_code)))
                if found is None:
                    report.error(
                        line,
                        "category",
                        "unknown_category",
                        {"category": category_code, "stratifier": stratifier_code},
                    )
                    report.unknown_code("category", f"{stratifier_code}|{category_code}")
                elif measure is not None and found[2] not in measure.stratifier_ids:
                    report.error(
                        line,
                        "stratifier",
                        "stratifier_not_applicable",
                        {"stratifier": stratifier_code, "measure": measure.code},
                    )
                else:
                    category_index, category_id = found[0], found[1]

        numerator = denominator = value = None
        numerator_out = denominator_out = value_out = NULL
        read = self._read_figures(line, measure, (numerator_text, denominator_text, value_text))
        if read is not None:
            (numerator, denominator, value), (numerator_out, denominator_out, value_out) = read

        metric: float | None = None
        if measure is not None and read is not None:
            metric = self._check_values(line, measure, numerator, denominator, value)
            if measure.value_type in RATIO_TYPES:
                value_out = NULL

        if len(comment) > MAX_COMMENT:
            report.error(line, "comment", "comment_too_long", {"n": MAX_COMMENT})

        if report.error_count > errors_before:
            return None
        assert measure is not None and site is not None and period is not None
        key = context.key(measure.index, site[0], period, category_index)
        if key in self.seen:
            report.error(line, "period", "duplicate_row")
            return None
        self.seen.add(key)
        if key in context.existing:
            report.exists(
                line,
                {
                    "measure": measure.code,
                    "site": site_code.strip(),
                    "period": period_label(measure.frequency, period),
                },
            )
        if metric is not None and context.history:
            stats = context.history.get((measure.id, site[1], category_id or 0))
            if stats is not None:
                mean, sd, _count = stats
                if sd > 0 and abs(metric - mean) > OUTLIER_SIGMAS * sd:
                    report.warning(
                        line,
                        "value" if measure.value_type not in RATIO_TYPES else "numerator",
                        "value_outlier",
                        {
                            "value": _figure(metric),
                            "mean": _figure(mean),
                            "low": _figure(mean - 3 * sd),
                            "high": _figure(mean + 3 * sd),
                        },
                    )
        report.valid_rows += 1
        category_out = str(category_id) if category_id else NULL
        comment_out = _copy_escape(comment) if comment else ""
        return (
            f"{line}\t{measure.id}\t{site[1]}\t{period.isoformat()}\t{category_out}\t"
            f"{numerator_out}\t{denominator_out}\t{value_out}\t{comment_out}\n"
        )

    def _check_values(
        self,
        line: int,
        measure: MeasureInfo,
        numerator: Decimal | None,
        denominator: Decimal | None,
        value: Decimal | None,
    ) -> float | None:
        """Checks the numbers a value type needs; returns the plotted figure or None."""
        report = self.report
        before = report.error_count
        for column, number in (("numerator", numerator), ("denominator", denominator)):
            if number is not None and number < 0:
                report.error(line, column, "negative_count")
        if measure.value_type in RATIO_TYPES:
            if numerator is None:
                report.error(line, "numerator", "missing_numerator")
            if denominator is None:
                report.error(line, "denominator", "missing_denominator")
            elif denominator == 0:
                report.error(line, "denominator", "zero_denominator")
            if (
                measure.value_type == Measure.ValueType.PROPORTION
                and numerator is not None
                and denominator
                and numerator > denominator
            ):
                report.error(
                    line,
                    "numerator",
                    "numerator_gt_denominator",
                    {"n": float(numerator), "d": float(denominator)},
                )
            if report.error_count > before:
                return None
            return float(numerator) / float(denominator)  # type: ignore[arg-type]
        if value is None:
            report.error(line, "value", "missing_value")
            return None
        if value < 0 and measure.value_type in NON_NEGATIVE_VALUE_TYPES:
            if measure.value_type == Measure.ValueType.COUNT:
                report.error(line, "value", "negative_count")
            else:
                report.error(line, "value", "negative_count", {}, "negative_days")
            return None
        return float(value) if report.error_count == before else None
