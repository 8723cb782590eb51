"""Keeping the search index current.

Every save or delete of a registered model (and every change of its tags) schedules a
re-index of that object after the transaction commits, so the index never shows what a
rolled-back write said, and a document's tags and versions are complete when it is read.
The index is derived data, like a cache: hooking the model signals here covers every
write path (services, admin, data migrations) without each service remembering to call
it. ``rebuild`` rewrites an organization's documents from scratch."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django_scopes import scopes_disabled

from copcore.models import Organization
from knowledge.search.folding import fold
from knowledge.search.models import SearchDocument
from knowledge.search.registry import BY_MODEL, SOURCES, Doc
from knowledge.selectors.search import SEARCH_CONFIGS  # the repository search's languages

MAX_TEXT = 400_000  # to_tsvector refuses documents over 1 MB
_WORD = re.compile(r"[^\W\d_]{4,40}")

_UPSERT = """
INSERT INTO knowledge_searchdocument
  (organization_id, community_id, kind, object_id, url, author_id, tags, date, config,
   title, body, search_vector, audience, permission, reader_ids, curators_see)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
  setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector(%s::regconfig, %s), 'B'),
  %s, %s, %s, %s)
ON CONFLICT (kind, object_id) DO UPDATE SET
  organization_id = EXCLUDED.organization_id, community_id = EXCLUDED.community_id,
  url = EXCLUDED.url, author_id = EXCLUDED.author_id, tags = EXCLUDED.tags,
  date = EXCLUDED.date, config = EXCLUDED.config, title = EXCLUDED.title,
  body = EXCLUDED.body, search_vector = EXCLUDED.search_vector,
  audience = EXCLUDED.audience, permission = EXCLUDED.permission,
  reader_ids = EXCLUDED.reader_ids, curators_see = EXCLUDED.curators_see
"""


def config_for_language(language: str) -> str:
    """The PostgreSQL text-search configuration of a language code ('simple' if unknown)."""
    return SEARCH_CONFIGS.get((language or "")[:2], "simple")


def _configs() -> dict[int, str]:
    with scopes_disabled():
        return {
            pk: config_for_language(language)
            for pk, language in Organization.objects.values_list("pk", "language")
        }


def _write(kind: str, pairs: list[tuple[int, Doc]], configs: dict[int, str]) -> None:
    rows = []
    words: dict[int, set[str]] = defaultdict(set)
    for object_id, doc in pairs:
        config = configs.get(doc.organization_id, "simple")
        title = fold(doc.title)
        body = fold(doc.body[:MAX_TEXT])
        rows.append(
            (
                doc.organization_id,
                doc.community_id,
                kind,
                object_id,
                doc.url[:500],
                doc.author_id,
                doc.tags,
                doc.date,
                config,
                doc.title[:300],
                doc.body[:MAX_TEXT],
                config,
                title,
                config,
                body,
                doc.audience,
                doc.permission,
                doc.reader_ids,
                doc.curators_see,
            )
        )
        words[doc.organization_id].update(_WORD.findall(f"{title} {body}".lower()))
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT, rows)
        for organization_id, found in words.items():
            cursor.execute(
                "INSERT INTO knowledge_searchterm (organization_id, word) "
                "SELECT %s, unnest(%s::text[]) ON CONFLICT DO NOTHING",
                [organization_id, sorted(found)],
            )


def index_objects(kind: str, ids: Iterable[int], *, follow: bool = True) -> None:
    """Re-index these objects of one kind (and the documents that depend on them);
    objects that are gone or must not be searchable lose their document."""
    source = SOURCES[kind]
    ids = set(ids)
    with scopes_disabled():
        objects = list(source.rebuild_queryset().filter(pk__in=ids))
        pairs = []
        for obj in objects:
            doc = source.document(obj)
            if doc is not None:
                pairs.append((obj.pk, doc))
        if pairs:
            _write(kind, pairs, _configs())
        kept = {pk for pk, _doc in pairs}
        SearchDocument._base_manager.filter(kind=kind, object_id__in=ids - kept).delete()
        if follow:
            dependents: dict[str, set[int]] = defaultdict(set)
            for obj in objects:
                for dependent_kind, pk in source.dependents(obj):
                    dependents[dependent_kind].add(pk)
            for dependent_kind, pks in dependents.items():
                index_objects(dependent_kind, pks, follow=False)


def schedule(kind: str, pk: int) -> None:
    """Re-index one object once the current transaction commits."""
    transaction.on_commit(partial(index_objects, kind, [pk]))


def rebuild(*, organization: Organization | None = None, chunk: int = 500) -> int:
    """Rewrite the documents of one organization (or all) from the objects; returns the
    number of documents written."""
    written = 0
    configs = _configs()
    with scopes_disabled(), transaction.atomic():
        documents = SearchDocument._base_manager.all()
        if organization is not None:
            documents = documents.filter(organization=organization)
        documents.delete()
        for kind, source in SOURCES.items():
            objects = source.rebuild_queryset()
            if organization is not None:
                objects = objects.filter(organization=organization)
            pairs: list[tuple[int, Doc]] = []
            for obj in objects.iterator(chunk_size=chunk):
                doc = source.document(obj)
                if doc is not None:
                    pairs.append((obj.pk, doc))
                if len(pairs) >= chunk:
                    _write(kind, pairs, configs)
                    written += len(pairs)
                    pairs = []
            if pairs:
                _write(kind, pairs, configs)
                written += len(pairs)
    return written


# ---------------------------------------------------------------- signal wiring


def _saved(sender: type[Model], instance: Model, raw: bool = False, **kwargs) -> None:
    if raw:
        return  # fixtures load rows as they are; rebuild_search_index indexes them
    for source in BY_MODEL.get(sender, []):
        schedule(source.kind, instance.pk)


def _forget(kind: str, pk: int) -> None:
    SearchDocument._base_manager.filter(kind=kind, object_id=pk).delete()


def _deleted(sender: type[Model], instance: Model, **kwargs) -> None:
    for source in BY_MODEL.get(sender, []):
        transaction.on_commit(partial(_forget, source.kind, instance.pk))


def _m2m(sender, instance: Model, action: str, reverse: bool, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    for source in BY_MODEL.get(type(instance), []):
        schedule(source.kind, instance.pk)


def connect() -> None:
    """Hook the registered models (called once from KnowledgeConfig.ready)."""
    from knowledge.search import sources  # noqa: F401 - registers the kinds

    for model in BY_MODEL:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-del-{model.__name__}")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _m2m, sender=field.remote_field.through, dispatch_uid=f"search-m2m-{field}"
            )
