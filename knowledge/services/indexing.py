"""The full-text search index of an asset (its title, summary, body and extracted file text)."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector

from copcore.rendering import plain_text
from knowledge.models import (
    Asset,
)
from knowledge.selectors import search_config

# ---------------------------------------------------------------- search index


def asset_reindex(*, asset: Asset) -> None:
    """Rebuild the asset's search document in the organization's language: title (A),
    summary (B), current body, link and extracted file text (C). The body is indexed
    as plain text, so markup never matches a query nor shows in a result's snippet."""
    version = asset.current_version
    parts = []
    if version is not None:
        parts.append(plain_text(version.body))
        if version.file is not None:
            parts.append(version.file.original_name)
            parts.append(version.file.extracted_text)
    body = "\n".join(part for part in parts if part)
    config = search_config(asset.organization)
    Asset.objects.filter(pk=asset.pk).update(search_body=body)
    Asset.objects.filter(pk=asset.pk).update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("search_body", weight="C", config=config)
    )
    asset.search_body = body
    # The one search holds this text too (its document and the asset's versions'): the
    # updates above send no save signal, so schedule it here (after the commit).
    from knowledge.search.indexing import schedule

    schedule("asset", asset.pk)
