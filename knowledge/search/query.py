"""Answering a search: visibility, matching, ranking, facets, snippets and "did you mean".

Visibility is a WHERE clause on indexed columns of the one table (organization, audience,
community, reader ids), built from the same ``Viewer`` every knowledge page uses, so a
result, a count or a facet only ever counts documents the person may open."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.safestring import SafeString

from communities.models import Community
from copcore.models import User
from knowledge.search.folding import fold
from knowledge.search.indexing import config_for_language
from knowledge.search.models import Audience, SearchDocument
from knowledge.search.registry import SOURCES
from knowledge.selectors.access import _PERMISSIONS, Viewer
from knowledge.selectors.search import _MARK_START, _MARK_STOP, snippet_html

# Matched words are marked with the repository search's private-use characters: the
# snippet is escaped first and only then are they turned into <mark> (``snippet_html``).
_START, _STOP = _MARK_START, _MARK_STOP
_DELIMITER = " … "
_HEADLINE_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, "
    f'MaxFragments=2, FragmentDelimiter="{_DELIMITER}"'
)
_PREFIX = re.compile(r"(?<![\w\"])([^\W_]{2,40})\*")
_WORD = re.compile(r"[^\W\d_]{4,40}")


@dataclass(frozen=True)
class SearchFilters:
    kind: str = ""
    community_id: int | None = None
    author_id: int | None = None
    tag: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class Result:
    kind: str
    kind_label: Any
    object_id: int
    title: str
    url: str
    community: Community | None
    date: dt.datetime
    rank: float
    snippet: str = ""  # plain text with the private-use markers

    @property
    def snippet_text(self) -> str:
        return self.snippet.replace(_START, "").replace(_STOP, "")

    @property
    def snippet_html(self) -> SafeString:
        return snippet_html(self.snippet)


@dataclass
class Facet:
    value: Any
    label: Any
    count: int


@dataclass
class SearchAnswer:
    query: str
    total: int
    results: list[Result]
    facets: dict[str, list[Facet]] = field(default_factory=dict)
    suggestion: str = ""


def visible_q(viewer: Viewer) -> Q:
    """The documents this person may read (outside the organization: none)."""
    if not viewer.is_org_member or not viewer.user.is_authenticated:
        return Q(pk__in=[])
    allowed = Q(audience=Audience.ORGANIZATION) | Q(reader_ids__contains=[viewer.user.pk])
    for name in _PERMISSIONS:
        ids = viewer.ids(name)
        if ids and name in _READ_PERMISSIONS:
            allowed |= Q(audience=Audience.COMMUNITY, permission=name, community_id__in=ids)
    curated = viewer.ids("curate")
    if curated:
        allowed |= Q(curators_see=True, community_id__in=curated)
    if viewer.is_org_admin:
        allowed |= Q(curators_see=True, community__isnull=True)
    return allowed


# The Viewer permissions a document's ``permission`` column may name.
_READ_PERMISSIONS = frozenset({"view", "view_discussions"})


def _split(query: str) -> tuple[str, list[str]]:
    """The websearch part of the query and its prefix words (``infec*``)."""
    prefixes = [fold(word).lower() for word in _PREFIX.findall(query)]
    rest = _PREFIX.sub(" ", query)
    return fold(rest).strip(), prefixes


def _tsquery(query: str, config: str) -> SearchQuery | None:
    rest, prefixes = _split(query)
    parts: list[SearchQuery] = []
    if rest:
        parts.append(SearchQuery(rest, config=config, search_type="websearch"))
    for word in prefixes:
        parts.append(SearchQuery(f"{word}:*", config=config, search_type="raw"))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part
    return combined


def _filtered(docs: QuerySet, filters: SearchFilters, *, skip: str = "") -> QuerySet:
    """``skip``: "kind", "community" or "both" leave those filters out (for facets)."""
    if filters.kind and skip not in ("kind", "both"):
        docs = docs.filter(kind=filters.kind)
    if filters.community_id and skip not in ("community", "both"):
        docs = docs.filter(community_id=filters.community_id)
    if filters.author_id:
        docs = docs.filter(author_id=filters.author_id)
    if filters.tag:
        docs = docs.filter(tags__contains=[filters.tag.lower()])
    if filters.date_from:
        docs = docs.filter(date__date__gte=filters.date_from)
    if filters.date_to:
        docs = docs.filter(date__date__lte=filters.date_to)
    return docs


def _scan(
    docs: QuerySet, tsquery: SearchQuery, filters: SearchFilters, *, offset: int, limit: int
) -> tuple[list[dict], list[tuple[int, float]]]:
    """One pass over the visible matches (materialized once): counts by kind and CoP for
    the total and the facets, and the ids of the requested page, best rank first. Each
    facet ignores its own filter and keeps the others, so it is computed before them."""
    matches = _filtered(docs, filters, skip="both").annotate(
        rank=SearchRank(F("search_vector"), tsquery)
    )
    try:
        sql, params = matches.values(
            "id", "kind", "community_id", "date", "rank"
        ).query.sql_with_params()
    except EmptyResultSet:  # nothing is visible (not a member of the organization)
        return [], []
    statement = (
        "WITH m AS MATERIALIZED ("  # noqa: S608 - Django's own SQL; values are parameters
        + sql
        + "), g AS (SELECT kind, community_id, count(*) AS n FROM m GROUP BY kind, community_id),"
        " p AS (SELECT id, rank FROM m WHERE (%s = '' OR kind = %s)"
        " AND (%s::bigint IS NULL OR community_id = %s::bigint)"
        " ORDER BY rank DESC, date DESC, id DESC LIMIT %s OFFSET %s)"
        " SELECT (SELECT coalesce(json_agg(g), '[]') FROM g),"
        " (SELECT coalesce(json_agg(json_build_array(p.id, p.rank)), '[]') FROM p)"
    )
    kind, community = filters.kind, filters.community_id
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, kind, kind, community, community, limit, offset])
        groups, page = cursor.fetchone()
    if isinstance(groups, str):
        groups, page = json.loads(groups), json.loads(page)
    return groups, [(int(pk), float(rank)) for pk, rank in page]


def matching(*, viewer: Viewer, query: str) -> tuple[QuerySet[SearchDocument], SearchQuery | None]:
    """The visible documents that match (none for an empty query), and the tsquery."""
    config = config_for_language(viewer.organization.language)
    tsquery = _tsquery(query, config)
    docs = SearchDocument.objects.filter(organization=viewer.organization).filter(visible_q(viewer))
    if tsquery is None:
        return docs.none(), None
    return docs.filter(search_vector=tsquery), tsquery


def search(
    *,
    viewer: Viewer,
    query: str,
    filters: SearchFilters | None = None,
    offset: int = 0,
    limit: int = 20,
    facets: bool = True,
) -> SearchAnswer:
    """One page of ranked results, the total, the facets and a suggestion."""
    filters = filters or SearchFilters()
    query = (query or "").strip()[:300]
    docs, tsquery = matching(viewer=viewer, query=query)
    if tsquery is None:
        return SearchAnswer(query=query, total=0, results=[])
    groups, page_ids = _scan(docs, tsquery, filters, offset=offset, limit=limit)

    def keep(row: dict, *, skip: str = "") -> bool:
        if filters.kind and skip != "kind" and row["kind"] != filters.kind:
            return False
        return not (
            filters.community_id
            and skip != "community"
            and row["community_id"] != filters.community_id
        )

    total = sum(row["n"] for row in groups if keep(row))
    rows: list[dict[str, Any]] = []
    if page_ids:
        by_id = {
            row["id"]: row
            for row in SearchDocument.objects.filter(pk__in=[pk for pk, _rank in page_ids]).values(
                "id", "kind", "object_id", "title", "url", "community_id", "date", "body"
            )
        }
        rows = [{**by_id[pk], "rank": rank} for pk, rank in page_ids if pk in by_id]
    communities = {c.pk: c for c in Community.objects.filter(organization=viewer.organization)}
    results = [
        Result(
            kind=row["kind"],
            kind_label=SOURCES[row["kind"]].label if row["kind"] in SOURCES else row["kind"],
            object_id=row["object_id"],
            title=row["title"],
            url=row["url"],
            community=communities.get(row["community_id"]),
            date=row["date"],
            rank=row["rank"],
        )
        for row in rows
    ]
    config = config_for_language(viewer.organization.language)
    for result, snippet in zip(
        results, headlines([row["body"] for row in rows], query, config), strict=True
    ):
        result.snippet = snippet
    answer = SearchAnswer(query=query, total=total, results=results)
    if facets:
        by_kind: Counter[str] = Counter()
        by_community: Counter[int] = Counter()
        for row in groups:
            if keep(row, skip="kind"):
                by_kind[row["kind"]] += row["n"]
            if keep(row, skip="community") and row["community_id"] in communities:
                by_community[row["community_id"]] += row["n"]
        answer.facets = {
            "kind": [
                Facet(kind, SOURCES[kind].label, n)
                for kind, n in sorted(by_kind.items(), key=lambda item: (-item[1], item[0]))
                if kind in SOURCES
            ],
            "community": [
                Facet(pk, communities[pk].name, n)
                for pk, n in sorted(by_community.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
    if total == 0:
        answer.suggestion = suggest(viewer=viewer, query=query)
    return answer


# ---------------------------------------------------------------- snippets


def headlines(bodies: list[str], query: str, config: str) -> list[str]:
    """ts_headline over the accent-folded bodies (they match the folded index), mapped
    back onto the original text: folding keeps every offset, so each fragment's place in
    the folded body is its place in the original."""
    if not bodies:
        return []
    rest, prefixes = _split(query)
    folded = [fold(body[:50_000]) for body in bodies]
    parts = []
    params: list[Any] = [folded]
    if rest:
        parts.append("websearch_to_tsquery(%s::regconfig, %s)")
        params += [config, rest]
    for word in prefixes:
        parts.append("to_tsquery(%s::regconfig, %s)")
        params += [config, f"{word}:*"]
    # Only our own fixed fragments are joined into the SQL; every value is a parameter.
    sql = (
        "SELECT ts_headline(%s::regconfig, u.t, "  # noqa: S608
        + " && ".join(parts)
        + ", %s) FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i) ORDER BY u.i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [config, *params[1:], _HEADLINE_OPTIONS, folded])
        marked = [row[0] for row in cursor.fetchall()]
    return [
        _unfold(snippet, original[:50_000], plain)
        for snippet, original, plain in zip(marked, bodies, folded, strict=True)
    ]


def _unfold(snippet: str, original: str, folded: str) -> str:
    """The snippet with the original (accented) characters put back."""
    out = []
    cursor = 0
    for fragment in snippet.split(_DELIMITER):
        plain = fragment.replace(_START, "").replace(_STOP, "")
        at = folded.find(plain, cursor)
        if at < 0:
            out.append(fragment)
            continue
        cursor = at + len(plain)
        source = iter(original[at : at + len(plain)])
        out.append("".join(char if char in (_START, _STOP) else next(source) for char in fragment))
    return _DELIMITER.join(out)


# ---------------------------------------------------------------- did you mean


@cache
def _has_trigram() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _closest(organization_id: int, word: str) -> str | None:
    with connection.cursor() as cursor:
        if _has_trigram():
            cursor.execute(
                "SELECT word FROM knowledge_searchterm WHERE organization_id = %s "
                "AND word %% %s ORDER BY similarity(word, %s) DESC, word LIMIT 1",
                [organization_id, word, word],
            )
            row = cursor.fetchone()
            return row[0] if row else None
        # Without pg_trgm (the embedded server): words of a similar length sharing the
        # first letter, compared in Python.
        cursor.execute(
            "SELECT word FROM knowledge_searchterm WHERE organization_id = %s "
            "AND left(word, 1) = %s AND length(word) BETWEEN %s AND %s LIMIT 5000",
            [organization_id, word[0], len(word) - 2, len(word) + 2],
        )
        candidates = [row[0] for row in cursor.fetchall()]
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return found[0] if found else None


def suggest(*, viewer: Viewer, query: str) -> str:
    """A corrected query, offered only if it finds something this person may see (so the
    word list never reveals a word from a document they cannot open)."""
    if not viewer.is_org_member:
        return ""
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = fold(match.group(0)).lower()
        closest = _closest(viewer.organization.pk, word)
        if closest and closest != word:
            changed = True
            return closest
        return match.group(0)

    corrected = _WORD.sub(replace, query)
    if not changed:
        return ""
    docs, tsquery = matching(viewer=viewer, query=corrected)
    return corrected if tsquery is not None and docs.exists() else ""


def authors_for_filter(*, viewer: Viewer) -> QuerySet[User]:
    """People who may be picked as the author filter: members of the organization."""
    return User.objects.filter(memberships__organization=viewer.organization)
