"""Secrets stored at rest (a DHIS2 token, an identity provider's client secret), encrypted.

One place encrypts and decrypts them, with Fernet from ``cryptography`` (authenticated
symmetric encryption), so no feature invents its own. The keys come from the environment
(``COP_ENCRYPTION_KEYS``: comma-separated Fernet keys, newest first); the first encrypts,
every one may decrypt, so a key can be rotated without losing what is stored
(``MultiFernet``). Without the variable (development and tests) a key is derived from
``SECRET_KEY``, which production settings require to be a real secret.

A stored secret is never shown again: pages and the API say only whether one is set
(:func:`is_set`), and services decrypt it at the moment of use.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key (rotated away or tampered)."""


def _keys() -> list[bytes]:
    configured = [k.strip() for k in getattr(settings, "COP_ENCRYPTION_KEYS", []) if k.strip()]
    if configured:
        return [k.encode("ascii") for k in configured]
    digest = hashlib.sha256(("cop-secrets:" + settings.SECRET_KEY).encode("utf-8")).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt_secret(plain: str) -> str:
    """The text to store for ``plain`` (ASCII, safe in a TextField); empty stays empty."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_secret(stored: str) -> str:
    """The plain secret for a stored value; raises :class:`SecretUnreadable` if no key opens it."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as error:
        raise SecretUnreadable(
            "The stored secret cannot be decrypted with the configured keys."
        ) from error


def is_set(stored: str) -> bool:
    """Whether a secret is stored: what pages show instead of the secret itself."""
    return bool(stored)
