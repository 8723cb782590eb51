"""Private calendar feed tokens (only the hash is stored)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from copcore.models import User
from sessions.models import (
    CalendarFeedToken,
)

# --- calendar feed tokens ----------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_reset(*, user: User) -> str:
    """Create (or replace) the person's feed secret; returns it once, in clear.
    Personal, not tenant data, so no organization audit event (like the profile)."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": feed_token_hash(token)}
    )
    return token


@transaction.atomic
def feed_token_revoke(*, user: User) -> bool:
    deleted, _rows = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)
