"""Full-text search over assets, in the organization's language, with escaped highlighted
snippets."""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from copcore.models import Organization
from knowledge.models import (
    Asset,
)
from knowledge.selectors.access import Viewer
from knowledge.selectors.assets import assets_visible

# The organization's language decides the PostgreSQL text-search configuration
# (stemming and stop words); anything else uses 'simple' (no stemming).
SEARCH_CONFIGS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}

# Private-use characters mark the highlighted words in snippets: the snippet text is
# escaped first and only then are these turned into <mark>, so a document cannot
# inject HTML through its own text.
_MARK_START, _MARK_STOP = "\ue000", "\ue001"


def search_config(organization: Organization) -> str:
    return SEARCH_CONFIGS.get((organization.language or "")[:2], "simple")


def asset_search(*, viewer: Viewer, query: str, **filters) -> QuerySet[Asset]:
    """Full-text search, best match first: title (weight A), summary (B), body and the
    text extracted from files (C), in the organization's language. Each result has
    ``rank`` and ``snippet`` (raw; pass it to ``snippet_html``)."""
    assets = assets_visible(viewer=viewer, **filters)
    query = (query or "").strip()
    if not query:
        return assets
    config = search_config(viewer.organization)
    search_query = SearchQuery(query, config=config, search_type="websearch")
    return (
        assets.filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            snippet=SearchHeadline(
                Concat("summary", Value("\n"), "search_body", output_field=TextField()),
                search_query,
                config=config,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-updated_at", "-id")
    )


def snippet_html(snippet: str | None) -> SafeString:
    """Escape a search snippet, then mark the matched words with <mark>."""
    text = escape(snippet or "")
    return mark_safe(  # noqa: S308 - escaped above; only our own markers become tags
        text.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")
    )
