"""The tenant-scoped manager every organization-owned model uses.

``django_scopes.ScopedManager(organization="organization")`` builds its manager class
inside a function, so neither mypy nor the django-stubs plugin can name it (related
managers of every model pointing at a scoped one then go unresolved). These classes
give the same runtime manager a module-level name and a typed interface; behaviour is
exactly django-scopes': a query outside an active scope raises ``ScopeError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django_scopes import ScopedManager

_M = TypeVar("_M", bound=models.Model)

if TYPE_CHECKING:
    from typing import Self

    _OrganizationScoped = models.Manager
else:
    _OrganizationScoped = type(ScopedManager(organization="organization"))


class OrganizationScopedManager(_OrganizationScoped[_M]):
    """Rows of the organization in the active scope (``django_scopes.scope``)."""

    if TYPE_CHECKING:

        def with_scope(self, **scope: Any) -> Self: ...

        def with_scopes_disabled(self) -> Self: ...


def organization_scoped(base: type[models.Manager[Any]]) -> type[models.Manager[Any]]:
    """The django-scopes manager class built on ``base`` (e.g. a ``from_queryset``
    manager), scoped by ``organization``; subclass it to give it a name."""
    return type(ScopedManager(base, organization="organization"))
