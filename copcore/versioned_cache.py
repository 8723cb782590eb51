"""A two-level cache for entries whose key names the version of what they hold.

Dashboard entries are keyed by the organization's data-version token (changed by
database triggers on every write to the data they show) or by a hash of their
content, so an entry under a given key never changes. Such entries can be kept in
each process's memory (the ``local`` cache, a bounded LocMemCache) in front of the
shared cache (Redis when configured): a hit costs no network round trip, and no
process can serve stale data, because a change of data changes the key it asks for.

Only put immutable, versioned entries here; anything else belongs in ``cache``.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache, caches

_MISSING = object()


def _local():
    return caches["local"]


def get(key: str, default: Any = None) -> Any:
    local = _local()
    value = local.get(key, _MISSING)
    if value is not _MISSING:
        return value
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        return default
    local.set(key, value, None)
    return value


def set(key: str, value: Any, timeout: int | None) -> None:  # noqa: A001 - cache API name
    cache.set(key, value, timeout)
    _local().set(key, value, None)


def get_many(keys: list[str]) -> dict[str, Any]:
    local = _local()
    found = local.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        shared = cache.get_many(missing)
        if shared:
            local.set_many(shared, None)
        found.update(shared)
    return found


def set_many(values: dict[str, Any], timeout: int | None) -> None:
    cache.set_many(values, timeout)
    _local().set_many(values, None)


def clear() -> None:
    """Clear both levels (tests and benchmarks measuring cold requests)."""
    cache.clear()
    _local().clear()
