"""The digest's building blocks: a batch of people, and what each section provider returns.

A provider reads one app's models for a whole batch of people at once, with a fixed
number of queries whatever the batch size, and returns items keyed by
(person id, community id). Text that depends on the reader's language is kept lazy
(``gettext_lazy``/``format_lazy``) or as dates, and is rendered inside the reader's
``translation.override`` and time zone by the digest templates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.urls import reverse

from communities.models import Community
from copcore.models import User
from copcore.permissions import COMMUNITY_ROLE_PERMISSIONS, CommunityRole

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Item:
    """One line of a section: a title with a link, an optional excerpt (dropped when the
    reader wants titles only), a short fact (status, due date) and an optional image."""

    title: StrOrPromise
    url: str
    detail: str = ""
    note: Any = ""
    when: dt.datetime | dt.date | None = None
    image_png: bytes = b""  # a small chart, sent as an inline (CID) attachment
    image_cid: str = ""
    figures: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)


@dataclass
class Batch:
    """The people of one task and what every provider needs to know about them."""

    users: dict[int, User]
    now: dt.datetime
    since: dict[int, dt.datetime]
    # person -> community -> roles held today (opted-out CoPs already removed)
    roles: dict[int, dict[int, set[str]]]
    communities: dict[int, Community]
    # what one provider computes for another in the same batch (e.g. status lines)
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def community_ids(self) -> set[int]:
        return set(self.communities)

    @property
    def earliest_since(self) -> dt.datetime:
        return min(self.since.values(), default=self.now)

    def members_of(self, community_id: int) -> list[int]:
        return [uid for uid, held in self.roles.items() if community_id in held]

    def holders(self, role: str) -> dict[int, set[int]]:
        """person -> communities where they hold ``role``."""
        result: dict[int, set[int]] = defaultdict(set)
        for uid, held in self.roles.items():
            for community_id, roles in held.items():
                if role in roles:
                    result[uid].add(community_id)
        return result

    def conveners(self) -> dict[int, set[int]]:
        return self.holders(CommunityRole.CONVENER)

    def can(self, user_id: int, community_id: int, permission: str) -> bool:
        """Whether the person's roles in the CoP carry ``permission`` (from the one
        role-to-permission map, without a query)."""
        return any(
            permission in COMMUNITY_ROLE_PERMISSIONS.get(role, frozenset())
            for role in self.roles.get(user_id, {}).get(community_id, ())
        )

    def members_with(self, community_id: int, permission: str) -> list[int]:
        return [
            uid for uid in self.members_of(community_id) if self.can(uid, community_id, permission)
        ]


Collected = dict[tuple[int, int], list[Item]]


class SectionProvider(Protocol):
    key: str
    title: Any  # lazy, translated at render time
    order: int

    def collect(self, batch: Batch) -> Collected: ...


def site_url(name: str, **kwargs: Any) -> str:
    """An absolute link into the platform (SITE_URL + the reversed route)."""
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def for_members(
    batch: Batch,
    community_id: int,
    item: Item,
    out: Collected,
    since=None,
    permission: str | None = None,
) -> None:
    """Give ``item`` to every batch member of the CoP (only those whose roles carry
    ``permission`` if given, and only those whose window starts before ``since``, i.e.
    for whom the item is new)."""
    people = (
        batch.members_with(community_id, permission)
        if permission
        else batch.members_of(community_id)
    )
    for uid in people:
        if since is not None and since < batch.since[uid]:
            continue
        out.setdefault((uid, community_id), []).append(item)
