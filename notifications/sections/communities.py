"""Digest sections from the communities app. For conveners: role terms ending within
30 days in their CoPs. One query per batch.

Threads with new posts, closed threads with their summaries and join requests are
added here once the communities issue's discussion and joining models are committed.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from communities.models import CommunityRoleAssignment
from notifications.sections.base import Batch, Collected, Item, site_url

TERM_WARNING = dt.timedelta(days=30)


def terms_ending(community_ids: set[int], today: dt.date) -> list[tuple]:
    """Active role terms of these CoPs ending within 30 days (one query)."""
    if not community_ids:
        return []
    with scopes_disabled():
        return list(
            CommunityRoleAssignment.objects.active_on(today)
            .filter(community_id__in=community_ids, ends_on__lte=today + TERM_WARNING)
            .order_by("ends_on", "id")
            .values_list("id", "community_id", "user_id", "user__display_name", "role", "ends_on")
        )


class RoleTermsProvider:
    key = "role_terms"
    title = _("Role terms ending within 30 days")
    order = 70

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        conveners = batch.conveners()
        convened = set().union(*conveners.values()) if conveners else set()
        labels = dict(CommunityRoleAssignment._meta.get_field("role").flatchoices)
        rows = terms_ending(convened, batch.now.date())
        for _pk, community_id, _user_id, name, role, ends_on in rows:
            community = batch.communities[community_id]
            item = Item(
                title=name,
                url=site_url(
                    "communities:detail",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                ),
                note=labels.get(role, role),
                when=ends_on,
            )
            for uid, held in conveners.items():
                if community_id in held:
                    out.setdefault((uid, community_id), []).append(item)
        return out


PROVIDERS = [RoleTermsProvider()]
