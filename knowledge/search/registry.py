"""How an object becomes a search document: one ``Source`` subclass per kind, registered
with ``@register``. A new kind (for example ``change_idea``) is one small class: its model,
``document(obj)`` (what to index and who may read it), ``rebuild_queryset()`` and, if other
objects show its text, ``dependents(obj)``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models

from knowledge.search.models import Audience


@dataclass
class Doc:
    """What a source returns for one object; ``indexing`` writes it."""

    organization_id: int
    community_id: int | None
    url: str
    title: str
    body: str
    date: dt.datetime
    audience: str = Audience.COMMUNITY
    permission: str = "view"
    author_id: int | None = None
    tags: list[str] = field(default_factory=list)
    reader_ids: list[int] = field(default_factory=list)
    curators_see: bool = False


class Source:
    """One kind of searchable object."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    label: ClassVar[Any]  # translatable name of the kind, for facets and results

    def document(self, obj: Any) -> Doc | None:
        """The document for ``obj``, or None when it must not be searchable."""
        raise NotImplementedError

    def rebuild_queryset(self) -> models.QuerySet:
        """Every object of this kind, with what ``document`` reads already joined."""
        return self.model._base_manager.all()

    def dependents(self, obj: Any) -> Iterable[tuple[str, int]]:
        """(kind, id) of other documents that show this object's text or visibility."""
        return ()


SOURCES: dict[str, Source] = {}
BY_MODEL: dict[type[models.Model], list[Source]] = {}


def register(cls: type[Source]) -> type[Source]:
    source = cls()
    SOURCES[cls.kind] = source
    BY_MODEL.setdefault(cls.model, []).append(source)
    return cls


def tag_names(obj: Any) -> list[str]:
    return sorted(tag.name.lower() for tag in obj.tags.all())
