"""Signed unsubscribe tokens: one-click unsubscribe works without logging in (RFC 8058),
so the link itself must prove which person and which kind of email it is for."""

from __future__ import annotations

from django.core import signing

SALT = "notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(person id, kind) for a genuine token, None for anything else."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("k", ""))
