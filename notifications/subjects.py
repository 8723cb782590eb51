"""Email subjects as codes with parameters.

A delivery record keeps the code of its subject (``session_24h`` with the session's
title, ``digest_weekly`` ...) so the delivery log shows the subject in the language
of whoever reads the log, not the language the email happened to be sent in. The
same table composes the subject of the email itself, so the two cannot drift.
Codes are plain strings (the kinds of :class:`notifications.models.Kind`, and the
digest's two frequencies) so this module needs no model.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DIGEST_DAILY = "digest_daily"
DIGEST_WEEKLY = "digest_weekly"

SUBJECTS: dict[str, Promise] = {
    DIGEST_DAILY: _("Your daily digest"),
    DIGEST_WEEKLY: _("Your weekly digest"),
    "session_24h": _("Your session is tomorrow: %(title)s"),
    "session_1h": _("Your session starts in 1 hour: %(title)s"),
    "action_items": _("Action items due tomorrow or overdue"),
    "data_due": _("Data due for %(community)s"),
    "role_term": _("Your role term ends soon"),
    "charter_ack": _("Please read and acknowledge your community's charter"),
    "followed_reply": _("New reply in “%(title)s”"),
    "progress_rating": _("Rate this month's progress in %(community)s"),
}


def digest_code(period_key: str) -> str:
    """A digest's subject follows its period: ``2026-W49`` is weekly, a day daily."""
    return DIGEST_WEEKLY if "-W" in period_key else DIGEST_DAILY


def code_for(kind: str, period_key: str) -> str:
    """The subject code of an email of ``kind`` (for composers that give none)."""
    if kind == "digest":
        return digest_code(period_key)
    return kind if kind in SUBJECTS else ""


def subject_text(code: str, params: dict[str, Any] | None = None) -> str:
    """The subject in the active language; an unknown code gives an empty text."""
    template = SUBJECTS.get(code)
    if template is None:
        return ""
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):  # parameters of an older version
        return str(template)
