"""Fixtures of the notifications tests."""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from django_scopes import scopes_disabled


@pytest.fixture(autouse=True)
def _urlconf_loaded(db):
    """Load the project's URLconf once outside any tenant scope.

    The digest reverses routes of every app outside a request; if some app's module
    evaluates a scoped queryset at import time, importing it lazily from inside a
    digest task would fail for a reason that has nothing to do with notifications."""
    with scopes_disabled():
        get_resolver().url_patterns  # noqa: B018 - forces the import
