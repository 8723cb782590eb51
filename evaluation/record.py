"""The results record: a self-contained ZIP for an institutional repository.

Contents (paths inside the archive):

* ``index.html`` -- the readable report (no external resources; opens offline);
* ``charts/<measure>.svg`` -- each active measure's all-sites run or control chart,
  the same chart as on the dashboards (``dashboards.charts``), and
  ``data/measures/<measure>.csv`` -- its table (values, centre line, limits, signals);
* ``assets/`` -- the current version of every published (curated) asset of the CoP
  (Markdown text, the stored file, or a ``.url`` text file for links); drafts and
  assets still in curation stay out of a public deposit;
* ``charter/v<N>.md`` and ``charter/history.csv`` -- every published charter version;
* ``sessions/sessions.csv``, ``sessions/summaries.md``, ``sessions/decisions.csv``;
* ``data/*.csv`` -- observations per site and period, CFIR ratings, expected
  results, survey and NoMAD results, with the organization's disclosure rule applied
  as on a sponsor's screen (small counts ``*``, rounding when the rule rounds, and
  secondary suppression so a hidden cell cannot be worked out from the others);
* ``manifest.json`` -- machine-readable: the CoP, when and by what it was made, and
  every other file with its size, media type and SHA-256.

Built in memory with :mod:`zipfile`; a CoP's record is small (text, CSV, SVG and the
assets' current files).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from copcore import spreadsheet
from dashboards.charts import render_chart_svg
from evaluation import disclosure, measures, selectors
from evaluation.models import CfirRating, ResultsRecord, Survey

FORMAT = "cop-results-record/1"
_MEDIA = {
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".json": "application/json",
    ".url": "text/plain",
}


@dataclass
class Package:
    data: bytes
    sha256: str
    manifest: dict


class _Zip:
    """Collects files and their manifest entries."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", compression=zipfile.ZIP_DEFLATED)
        self.entries: list[dict] = []

    def add(self, path: str, content: bytes | str, media_type: str | None = None) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.zip.writestr(path, data)
        suffix = "." + path.rsplit(".", 1)[-1] if "." in path else ""
        self.entries.append(
            {
                "path": path,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "media_type": media_type or _MEDIA.get(suffix, "application/octet-stream"),
            }
        )

    def close(self) -> bytes:
        self.zip.close()
        return self.buffer.getvalue()


def _csv(header: list[str], rows: list[list]) -> str:
    """A CSV file of the package; text cells are neutralised (copcore.spreadsheet)."""
    return spreadsheet.csv_text(header, rows, lineterminator="\n")


# --------------------------------------------------------------------------- data


def cfir_csv(community) -> str:
    rows = (
        CfirRating.objects.filter(round__community=community)
        .select_related("round", "site", "construct__domain")
        .order_by("round__held_on", "site__name", "construct__position")
    )
    return _csv(
        [
            "round",
            "held_on",
            "site_code",
            "domain",
            "construct_code",
            "construct",
            "rating",
            "evidence",
        ],
        [
            [
                r.round.title,
                r.round.held_on.isoformat(),
                r.site.code,
                r.construct.domain.label,
                r.construct.code,
                r.construct.label,
                "" if r.rating is None else r.rating,
                r.evidence,
            ]
            for r in rows
        ],
    )


def survey_csv(surveys: list[tuple[Survey, selectors.SurveyResults]]) -> str:
    out = []
    for survey, results in surveys:
        overall = results.overall
        for qr in overall.questions:
            base = [
                survey.title,
                survey.get_purpose_display(),
                qr.question.position,
                qr.question.text,
            ]
            if overall.suppressed:
                out.append(base + ["", disclosure.SUPPRESSED, ""])
                continue
            for option, count in qr.options:
                out.append(base + [option, qr.answered, count])
            if qr.mean is not None:
                out.append(base + ["mean", qr.answered, qr.mean])
    return _csv(
        [
            "survey",
            "purpose",
            "question_position",
            "question",
            "option_or_statistic",
            "answered",
            "count_or_value",
        ],
        out,
    )


def nomad_csv(rounds: list[selectors.NomadResults]) -> str:
    out = []
    for result in rounds:
        for group in [result.overall, *result.by_site]:
            for score in group.constructs:
                out.append(
                    [
                        result.survey.title,
                        group.label,
                        group.shown_responses,
                        score.construct.key,
                        score.respondents,
                        "" if score.mean is None else score.mean,
                        "" if score.change is None else score.change,
                    ]
                )
    return _csv(
        ["round", "group", "responses", "construct", "respondents", "mean_agreement_1_5", "change"],
        out,
    )


# --------------------------------------------------------------------------- package


def _asset_files(community) -> list[tuple[str, bytes, dict]]:
    from knowledge.models import Asset, AssetStatus

    out = []
    assets = (
        Asset.objects.filter(
            community=community, status=AssetStatus.PUBLISHED, current_version__isnull=False
        )
        .select_related("current_version__file")
        .order_by("title")
    )
    for asset in assets:
        version = asset.current_version
        if version is None:  # excluded by the query
            continue
        stem = f"assets/{asset.pk}-{slugify(asset.title)[:50] or 'asset'}-v{version.number}"
        info = {"title": asset.title, "kind": asset.kind, "version": version.number}
        if version.file_id and version.file is not None:
            stored = version.file
            suffix = re.sub(r"[^A-Za-z0-9.]", "", stored.original_name.rsplit(".", 1)[-1])[:10]
            with stored.file.open("rb") as handle:
                out.append((f"{stem}.{suffix or 'bin'}", handle.read(), info))
        elif version.link:
            out.append((f"{stem}.url", f"{version.link}\n".encode(), info))
        if version.body:
            out.append((f"{stem}.md", version.body.encode(), info))
    return out


def _charter_files(community) -> tuple[list, list[tuple[str, str]]]:
    from communities.models import CharterVersion

    versions = list(
        CharterVersion.objects.filter(community=community)
        .select_related("published_by")
        .order_by("number")
    )
    files = []
    for version in versions:
        parts = [f"# {community.name} - charter v{version.number}\n"]
        for _key, label, text in version.sections():
            parts.append(f"## {label}\n\n{text}\n")
        files.append((f"charter/v{version.number}.md", "\n".join(parts)))
    return versions, files


def _sessions(community):
    from sessions.models import Decision, Session

    sessions = list(Session.objects.filter(community=community).order_by("starts_at"))
    decisions = list(
        Decision.objects.filter(session__community=community)
        .select_related("session", "owner")
        .order_by("session__starts_at", "created_at")
    )
    return sessions, decisions


def build_package(*, record: ResultsRecord) -> Package:
    """Build the ZIP for a record (inside the organization's scope)."""
    community = record.community
    package = _Zip()
    now = timezone.now()

    expected = selectors.expected_results_with_reviews(community=community)
    conclusion = selectors.conclusion_of(community=community)
    latest_round = community.cfir_rounds.order_by("-held_on", "-id").first()
    heat = selectors.heat_map(cfir_round=latest_round) if latest_round else None
    audience = measures.record_audience(community)
    follow = (
        selectors.follow_through(community=community, audience=audience, cfir_round=latest_round)
        if latest_round
        else []
    )
    surveys = list(
        Survey.objects.filter(community=community)
        .exclude(status=Survey.Status.DRAFT)
        .order_by("created_at")
    )
    survey_results = [
        (s, selectors.survey_results(survey=s))
        for s in surveys
        if s.purpose != Survey.Purpose.NOMAD
    ]
    nomad_rounds = [
        selectors.nomad_results(survey=s) for s in surveys if s.purpose == Survey.Purpose.NOMAD
    ]
    versions, charter_files = _charter_files(community)
    sessions, decisions = _sessions(community)

    charts = []
    observation_rows = []
    for item in measures.record_measures(community):
        path = f"charts/{slugify(item.code) or 'measure'}.svg"
        package.add(path, render_chart_svg(item.chart.spec))
        columns, body = item.chart.table()
        package.add(f"data/measures/{slugify(item.code) or 'measure'}.csv", _csv(columns, body))
        charts.append((item, path))
        observation_rows.extend(item.site_rows)

    assets = _asset_files(community)
    for path, data, _info in assets:
        package.add(path, data)
    for path, text in charter_files:
        package.add(path, text)
    package.add(
        "charter/history.csv",
        _csv(
            ["version", "published_at", "published_by", "change_note"],
            [
                [
                    v.number,
                    v.published_at.isoformat(),
                    v.published_by.display_name if v.published_by else "",
                    v.change_note,
                ]
                for v in versions
            ],
        ),
    )
    package.add(
        "sessions/sessions.csv",
        _csv(
            ["title", "kind", "starts_at", "status", "recording_link"],
            [
                [s.title, s.kind, s.starts_at.isoformat(), s.status, s.recording_link]
                for s in sessions
            ],
        ),
    )
    package.add(
        "sessions/summaries.md",
        "\n".join(
            f"## {s.title} ({s.starts_at:%Y-%m-%d})\n\n{s.summary}\n" for s in sessions if s.summary
        )
        or _("No session summaries were recorded.") + "\n",
    )
    package.add(
        "sessions/decisions.csv",
        _csv(
            ["session", "date", "decision", "owner"],
            [
                [d.session.title, f"{d.session.starts_at:%Y-%m-%d}", d.text, d.owner.display_name]
                for d in decisions
            ],
        ),
    )
    package.add(
        "data/observations.csv",
        _csv(
            [
                "measure_code",
                "site_code",
                "site_name",
                "period",
                "numerator",
                "denominator",
                "value",
            ],
            observation_rows,
        ),
    )
    package.add("data/cfir_ratings.csv", cfir_csv(community))
    package.add(
        "data/expected_results.csv",
        _csv(
            ["position", "expected_result", "how_checked", "status", "evidence"],
            [
                [
                    r.position,
                    r.description,
                    r.how_checked,
                    r.current_review.status if r.current_review else "",
                    r.current_review.evidence if r.current_review else "",
                ]
                for r in expected
            ],
        ),
    )
    package.add("data/survey_results.csv", survey_csv(survey_results))
    package.add("data/nomad_results.csv", nomad_csv(nomad_rounds))

    html = render_to_string(
        "evaluation/record/report.html",
        {
            "community": community,
            "generated_at": now,
            "expected": expected,
            "conclusion": conclusion,
            "heat": heat,
            "follow": follow,
            "survey_results": survey_results,
            "nomad_rounds": nomad_rounds,
            "charts": charts,
            "assets": assets,
            "versions": versions,
            "sessions": sessions,
            "decisions": decisions,
            "suppressed": disclosure.SUPPRESSED,
            "rule": audience.rule.describe(),
        },
    )
    package.add("index.html", html)
    manifest = {
        "format": FORMAT,
        "community": {
            "name": community.name,
            "slug": community.slug,
            "organization": community.organization.name,
            "phase": community.phase,
        },
        "record_id": record.pk,
        "generated_at": now.isoformat(),
        "disclosure": {"rule": audience.rule.describe(), "signature": audience.rule.signature},
        "files": package.entries,
    }
    package.zip.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    data = package.close()
    return Package(data=data, sha256=hashlib.sha256(data).hexdigest(), manifest=manifest)
