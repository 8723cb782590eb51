"""Accent folding done in Python, identically for documents and queries.

The embedded PostgreSQL (``pgserver``, used by ``make run``) ships without the ``unaccent``
extension, so folding happens here: "infección" and "infeccion" index and query alike on
every server. Each character folds to at most one character, so a folded text keeps the
original's offsets and a highlight found in the folded text maps back onto the original."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """The text without diacritics, the same length as the original."""
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)
