"""Digest sections from the sessions app: sessions of the next two weeks and the
reader's own action items that are due soon or overdue. Two queries per batch."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from copcore.rendering import plain_text
from notifications.sections.base import Batch, Collected, Item, for_members, site_url
from sessions.models import ActionItem, ActionStatus, Session, SessionStatus

UPCOMING = dt.timedelta(days=14)
DUE_SOON = dt.timedelta(days=7)


class UpcomingSessionsProvider:
    key = "sessions"
    title = _("Upcoming sessions (next two weeks)")
    order = 40

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        with scopes_disabled():
            rows = list(
                Session.objects.filter(
                    community_id__in=batch.community_ids,
                    status=SessionStatus.SCHEDULED,
                    starts_at__gte=batch.now,
                    starts_at__lt=batch.now + UPCOMING,
                )
                .order_by("starts_at", "id")
                .values_list("id", "community_id", "title", "agenda", "starts_at")
            )
        for pk, community_id, title, agenda, starts_at in rows:
            community = batch.communities[community_id]
            item = Item(
                title=title,
                url=site_url(
                    "sessions:session_detail",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                    session_id=pk,
                ),
                detail=plain_text(agenda[:4000]),
                when=starts_at,
            )
            for_members(batch, community_id, item, out)
        return out


class ActionItemsProvider:
    key = "action_items"
    title = _("Your action items due or overdue")
    order = 50

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        today = batch.now.date()
        with scopes_disabled():
            rows = list(
                ActionItem.objects.filter(
                    owner_id__in=list(batch.users),
                    community_id__in=batch.community_ids,
                    status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
                    due_on__lte=today + DUE_SOON,
                )
                .order_by("due_on", "id")
                .values_list("owner_id", "community_id", "description", "due_on")
            )
        for owner_id, community_id, description, due_on in rows:
            if community_id not in batch.roles.get(owner_id, {}):
                continue  # opted out of that CoP's digest
            community = batch.communities[community_id]
            overdue = due_on < today
            item = Item(
                title=description[:200],
                url=site_url(
                    "sessions:community_actions",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                ),
                note=_("Overdue") if overdue else _("Due"),
                when=due_on,
            )
            out.setdefault((owner_id, community_id), []).append(item)
        return out


PROVIDERS = [UpcomingSessionsProvider(), ActionItemsProvider()]
