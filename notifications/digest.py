"""Composing digests for a batch of people: a fixed number of queries per batch.

Queries: the people with their preferences (1), their role assignments active today
with the communities and organizations (1), their per-CoP opt-outs (1), then each
section provider's own fixed number. Nothing here depends on the batch size except
the Python work, so composing 500 people costs the same queries as composing 5.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from communities.models import CommunityRoleAssignment
from copcore.models import User
from notifications.messages import Composed, unsubscribe_url
from notifications.models import CommunityOptOut, Kind, NotificationPreference
from notifications.schedule import DEFAULTS, period_for
from notifications.sections import Batch, Item, providers


@dataclass
class CommunityBlock:
    community: Any
    sections: list[tuple[Any, str, list[Item]]] = field(default_factory=list)  # title, key


def load_people(user_ids: list[int]) -> list[User]:
    """Active people with their preference row (one query)."""
    return list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )


def preference(user: User) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return DEFAULTS


def build_batch(users: list[User], now: dt.datetime, *, digest: bool = True) -> Batch:
    """Roles held today in each CoP, minus the CoPs each person left out of the digest."""
    ids = [u.pk for u in users]
    roles: dict[int, dict[int, set[str]]] = {u.pk: {} for u in users}
    communities = {}
    with scopes_disabled():
        assignments = (
            CommunityRoleAssignment.objects.active_on(now.date())
            .filter(user_id__in=ids)
            .select_related("community__organization")
            .order_by("community__name", "id")
        )
        for assignment in assignments:
            roles[assignment.user_id].setdefault(assignment.community_id, set()).add(
                assignment.role
            )
            communities[assignment.community_id] = assignment.community
        if digest:
            for user_id, community_id in CommunityOptOut.objects.filter(
                user_id__in=ids
            ).values_list("user_id", "community_id"):
                roles[user_id].pop(community_id, None)
    since = {}
    for user in users:
        pref = preference(user)
        since[user.pk] = period_for(user, pref, now).since.astimezone(dt.UTC)
    return Batch(
        users={u.pk: u for u in users}, now=now, since=since, roles=roles, communities=communities
    )


def collect_sections(batch: Batch) -> dict[int, list[CommunityBlock]]:
    """Run every provider once for the batch; arrange per person, per CoP."""
    gathered: dict[int, dict[int, list[tuple[Any, str, list[Item]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    found = providers()
    order = {p.key: p.order for p in found}
    for provider in found:
        for (user_id, community_id), items in provider.collect(batch).items():
            if items:
                gathered[user_id][community_id].append((provider.title, provider.key, items))
    result: dict[int, list[CommunityBlock]] = {}
    for user_id, per_community in gathered.items():
        for sections in per_community.values():
            sections.sort(key=lambda section: order.get(section[1], 100))
        blocks = [
            CommunityBlock(community=batch.communities[cid], sections=sections)
            for cid, sections in per_community.items()
        ]
        blocks.sort(key=lambda b: (b.community.organization.name, b.community.name))
        result[user_id] = blocks
    return result


def preferences_url(user: User, blocks: list[CommunityBlock]) -> str:
    org_slug = blocks[0].community.organization.slug
    return settings.SITE_URL.rstrip("/") + reverse(
        "notifications:preferences", kwargs={"org_slug": org_slug}
    )


_TEMPLATES: dict[str, Any] = {}


def template(name: str):
    if name not in _TEMPLATES:
        _TEMPLATES[name] = get_template(name)
    return _TEMPLATES[name]


def render_digest(context: dict[str, Any]) -> tuple[str, str]:
    """(plain text, HTML). The text part is rendered with autoescape off, as text must
    be, so it is handed on as a plain ``str``: whoever shows it in a page (the digest
    preview) escapes it instead of trusting it."""
    text = template("notifications/email/digest.txt").render(context)
    html = template("notifications/email/digest.html").render(context)
    return str.__str__(text), str.__str__(html)


def compose_digests(user_ids: list[int], now: dt.datetime | None = None) -> list[Composed]:
    """The digests of these people for the period containing ``now``; people with
    nothing new are left out (they get no email)."""
    now = now or timezone.now()
    users = load_people(user_ids)
    batch = build_batch(users, now)
    blocks_by_user = collect_sections(batch)
    composed = []
    for user in users:
        blocks = blocks_by_user.get(user.pk)
        pref = preference(user)
        if not blocks or not pref.digest_enabled or pref.bouncing:
            continue
        period = period_for(user, pref, now)
        with translation.override(user.language), timezone.override(user.time_zone):
            context = {
                "user": user,
                "blocks": blocks,
                "include_content": pref.include_content,
                "since": period.since,
                "site_url": settings.SITE_URL.rstrip("/"),
                "preferences_url": preferences_url(user, blocks),
                "unsubscribe_url": unsubscribe_url(user_id=user.pk, kind=Kind.DIGEST),
                "daily": pref.frequency == "daily",
            }
            text, html = render_digest(context)
            subject = (
                _("Your daily digest") if pref.frequency == "daily" else _("Your weekly digest")
            )
        composed.append(
            Composed(
                user_id=user.pk,
                email=user.email,
                kind=Kind.DIGEST,
                period_key=period.key,
                subject=str(subject),
                text=text,
                html=html,
                sections=sorted({key for b in blocks for _t, key, _i in b.sections}),
                inline_images={
                    item.image_cid: item.image_png
                    for b in blocks
                    for _t, _k, items in b.sections
                    for item in items
                    if item.image_cid
                },
            )
        )
    return composed
