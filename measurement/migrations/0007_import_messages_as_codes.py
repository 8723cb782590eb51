"""Import problems stored as codes with parameters instead of English sentences.

Reports written before this migration hold each problem's sentence, rendered in
English by the worker (``{"code": "invalid_number", "message": "“x” is not a number."}``)
and so shown in English on the check page whatever the reader's language. Each stored
sentence is matched against the English sentence it was made from (frozen below, as
they were when written); when it matches, the entry gets ``params`` (and ``msg`` where
a code has several sentences) and loses the English text, so the check page words it in
the reader's language. A sentence that does not match keeps its English ``message``,
which the page shows as before. Data only; nothing is lost either way.
"""

import contextlib
import re

from django.db import migrations

# (code, msg, English sentence) as validation.py and services/imports.py wrote them.
OLD_SENTENCES = [
    ("unknown_measure", "", "Unknown measure “%(code)s” in this community."),
    ("missing_measure", "", "The measure is missing."),
    ("unknown_site", "", "Unknown site “%(code)s”: it is not enrolled in this community."),
    ("missing_site", "", "The site is missing."),
    ("missing_period", "", "The period is missing."),
    ("invalid_period", "", "“%(text)s” is not a date: write YYYY-MM-DD."),
    (
        "invalid_period",
        "invalid_period_read",
        "“%(text)s” is not a date when read as %(reading)s: write YYYY-MM-DD, "
        "%(reading)s or a month and year such as “Mar 2024”.",
    ),
    (
        "period_not_aligned",
        "",
        "%(date)s is not the start of a %(frequency)s period: use %(aligned)s.",
    ),
    ("missing_stratifier", "", "A category needs its stratifier."),
    ("missing_category", "", "A stratifier needs a category."),
    (
        "unknown_category",
        "",
        "Unknown category “%(category)s” of stratifier “%(stratifier)s”.",
    ),
    (
        "stratifier_not_applicable",
        "",
        "Stratifier “%(stratifier)s” does not apply to measure “%(measure)s”.",
    ),
    ("invalid_number", "", "“%(text)s” is not a number."),
    ("comment_too_long", "", "The comment is longer than %(n)s characters."),
    (
        "duplicate_row",
        "",
        "This measure, site, period and category already appear earlier in the file.",
    ),
    ("existing", "", "%(measure)s at %(site)s for %(period)s already has a value."),
    (
        "value_outlier",
        "",
        "%(value)s is far outside this site's history "
        "(mean %(mean)s, usual range %(low)s to %(high)s).",
    ),
    ("negative_count", "", "Counts cannot be negative."),
    ("negative_count", "negative_days", "Days between events cannot be negative."),
    ("missing_numerator", "", "The numerator is missing."),
    ("missing_denominator", "", "The denominator is missing."),
    (
        "zero_denominator",
        "",
        "The denominator is zero: leave the period out when nobody was eligible.",
    ),
    (
        "numerator_gt_denominator",
        "",
        "The numerator (%(n)s) is greater than the denominator (%(d)s).",
    ),
    ("missing_value", "", "The value is missing."),
    ("unused_column", "", "Column “%(column)s” is not part of the layout and was ignored."),
    (
        "missing_column",
        "",
        "Required column(s) missing from the header: %(columns)s. Expected: %(layout)s.",
    ),
    ("empty_file", "", "The file has no data rows."),
    ("empty_file", "empty_file_header", "The file has no header line."),
    ("unreadable_file", "", "The file cannot be read as CSV or XLSX."),
]
READINGS = {"day/month/year": "dmy", "month/day/year": "mdy"}
NUMBERS = {"n", "d", "value", "mean", "low", "high"}
PARAM = re.compile(r"%\\\((\w+)\\\)s")


def _pattern(sentence: str) -> re.Pattern:
    seen: set[str] = set()

    def group(match: re.Match) -> str:
        name = match[1]
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.*?)"

    return re.compile("^" + PARAM.sub(group, re.escape(sentence)) + "$", re.DOTALL)


PATTERNS: dict[str, list[tuple[str, re.Pattern]]] = {}
for _code, _msg, _sentence in OLD_SENTENCES:
    PATTERNS.setdefault(_code, []).append((_msg, _pattern(_sentence)))


def _params(code: str, message: str) -> tuple[str, dict] | None:
    for msg, pattern in PATTERNS.get(code, []):
        match = pattern.match(message)
        if match is None:
            continue
        params = match.groupdict()
        if "reading" in params:
            if params["reading"] not in READINGS:
                continue
            params["reading"] = READINGS[params["reading"]]
        for key in NUMBERS & params.keys():
            with contextlib.suppress(ValueError):
                params[key] = float(params[key].replace(",", ""))
        return msg, params
    return None


def _entry(entry: dict, code: str) -> dict:
    """The entry with ``params`` when its English sentence is recognised."""
    if not isinstance(entry, dict) or "params" in entry or not entry.get("message"):
        return entry
    found = _params(entry.get("code") or code, entry["message"])
    if found is None:
        return entry
    msg, params = found
    converted = {k: v for k, v in entry.items() if k != "message"}
    converted["params"] = params
    if code == "existing":
        converted["code"] = "existing"
    if msg:
        converted["msg"] = msg
    return converted


def _report(report: dict) -> dict:
    changed = dict(report)
    for kind in ("errors", "warnings"):
        if isinstance(report.get(kind), list):
            changed[kind] = [_entry(entry, "") for entry in report[kind]]
    if isinstance(report.get("existing"), list):
        changed["existing"] = [_entry(entry, "existing") for entry in report["existing"]]
    for kind in ("error_groups", "warning_groups"):
        groups = report.get(kind)
        if not isinstance(groups, list):
            continue
        converted = []
        for group in groups:
            example = group.get("example") if isinstance(group, dict) else None
            if isinstance(example, str) and example:
                found = _params(group.get("code", ""), example)
                if found is not None:
                    msg, params = found
                    group = {
                        **group,
                        "example": {"params": params, **({"msg": msg} if msg else {})},
                    }
            converted.append(group)
        changed[kind] = converted
    return changed


def forwards(apps, schema_editor):
    ImportBatch = apps.get_model("measurement", "ImportBatch")
    batches = ImportBatch._base_manager.exclude(report={}).only("id", "report")
    pending = []
    for batch in batches.iterator(chunk_size=500):
        if not isinstance(batch.report, dict):
            continue
        report = _report(batch.report)
        if report != batch.report:
            batch.report = report
            pending.append(batch)
        if len(pending) >= 500:
            ImportBatch._base_manager.bulk_update(pending, ["report"])
            pending = []
    if pending:
        ImportBatch._base_manager.bulk_update(pending, ["report"])


SENTENCES = {(code, msg): sentence for code, msg, sentence in OLD_SENTENCES}
ORDER_WORDS = {value: key for key, value in READINGS.items()}


def _english(entry: dict, code: str) -> dict:
    """Backwards: the English sentence again, for code that only reads ``message``."""
    if not isinstance(entry, dict) or "params" not in entry:
        return entry
    sentence = SENTENCES.get((entry.get("code") or code, entry.get("msg", "")))
    if sentence is None:
        return entry
    params = dict(entry["params"])
    if "reading" in params:
        params["reading"] = ORDER_WORDS.get(params["reading"], params["reading"])
    for key in NUMBERS & params.keys():
        if isinstance(params[key], float):
            params[key] = f"{params[key]:g}"
    try:
        message = sentence % params
    except (KeyError, TypeError, ValueError):
        return entry
    old = {k: v for k, v in entry.items() if k not in ("params", "msg")}
    return {**old, "message": message}


def backwards(apps, schema_editor):
    ImportBatch = apps.get_model("measurement", "ImportBatch")
    for batch in ImportBatch._base_manager.exclude(report={}).only("id", "report").iterator():
        report = batch.report if isinstance(batch.report, dict) else {}
        changed = dict(report)
        for kind in ("errors", "warnings", "existing"):
            if isinstance(report.get(kind), list):
                code = "existing" if kind == "existing" else ""
                changed[kind] = [_english(entry, code) for entry in report[kind]]
        for kind in ("error_groups", "warning_groups"):
            if isinstance(report.get(kind), list):
                changed[kind] = [
                    {
                        **g,
                        "example": _english({**g["example"], "code": g.get("code")}, "").get(
                            "message", ""
                        ),
                    }
                    if isinstance(g, dict) and isinstance(g.get("example"), dict)
                    else g
                    for g in report[kind]
                ]
        if changed != report:
            batch.report = changed
            batch.save(update_fields=["report"])


class Migration(migrations.Migration):
    dependencies = [
        ("measurement", "0006_dashboards_move_to_their_app"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
