"""Search documents hold the plain text of an asset's body, not its Markdown or HTML
(search snippets showed ``<p>`` and ``**``). Rebuilds the stored documents once; the
services keep them plain from then on (``knowledge/services/indexing.py``)."""

from django.contrib.postgres.search import SearchVector
from django.db import migrations

SEARCH_CONFIGS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}


def rebuild_search_documents(apps, schema_editor):
    from copcore.rendering import plain_text

    Asset = apps.get_model("knowledge", "Asset")
    assets = Asset._base_manager.select_related("organization", "current_version__file")
    for asset in assets.iterator(chunk_size=500):
        version = asset.current_version
        parts = []
        if version is not None:
            parts.append(plain_text(version.body))
            if version.file is not None:
                parts += [version.file.original_name, version.file.extracted_text]
        body = "\n".join(part for part in parts if part)
        config = SEARCH_CONFIGS.get((asset.organization.language or "")[:2], "simple")
        Asset._base_manager.filter(pk=asset.pk).update(search_body=body)
        Asset._base_manager.filter(pk=asset.pk).update(
            search_vector=SearchVector("title", weight="A", config=config)
            + SearchVector("summary", weight="B", config=config)
            + SearchVector("search_body", weight="C", config=config)
        )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(rebuild_search_documents, migrations.RunPython.noop)]
