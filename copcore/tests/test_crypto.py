"""Secrets at rest: encrypted, readable only with a configured key, rotatable."""

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from copcore.crypto import SecretUnreadable, decrypt_secret, encrypt_secret, is_set


@given(st.text(min_size=1, max_size=200))
def test_a_secret_comes_back_as_it_went_in_and_is_never_stored_in_clear(plain):
    stored = encrypt_secret(plain)
    assert decrypt_secret(stored) == plain
    assert plain not in stored or len(plain) < 2
    assert is_set(stored)


def test_nothing_stored_is_not_set():
    assert encrypt_secret("") == ""
    assert decrypt_secret("") == ""
    assert not is_set("")


def test_keys_rotate_and_a_removed_key_is_refused(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.COP_ENCRYPTION_KEYS = [old]
    stored = encrypt_secret("d2:token-123")
    settings.COP_ENCRYPTION_KEYS = [new, old]
    assert decrypt_secret(stored) == "d2:token-123"
    settings.COP_ENCRYPTION_KEYS = [new]
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored)


def test_a_tampered_value_is_refused():
    stored = encrypt_secret("secret")
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored[:-4] + "AAAA")
