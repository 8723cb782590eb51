"""Disclosure control on the data pages (the observation list, its API and CSV export).

A non-steward must see an observation's figures exactly as the dashboards disclose
them (the same cells hidden, so the two cannot be combined to recover a small count),
and that computation belongs to the dashboards app. The dependency runs one way:
dashboards imports measurement, never the reverse, so the dashboards app registers its
disclosers here when it starts (``DashboardsConfig.ready``) and the data pages ask for
them by name through :func:`ObservationDiscloser` and :func:`OrganizationDiscloser`.

Fail closed: with nothing registered (the dashboards app not installed) asking for a
discloser raises :class:`~django.core.exceptions.ImproperlyConfigured` rather than
showing unsuppressed figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from communities.models import Community
    from measurement.models import Observation


class DisclosedFigures(Protocol):
    """An observation's figures as the viewer may see them (display strings)."""

    @property
    def pk(self) -> int: ...
    @property
    def numerator(self) -> str: ...
    @property
    def denominator(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def suppressed(self) -> bool: ...
    @property
    def hidden(self) -> bool: ...


class Discloser(Protocol):
    """Gives the figures one viewer may see of each observation passed to it."""

    def figures(self, o: Observation) -> DisclosedFigures: ...


@dataclass
class _Registry:
    for_community: Callable[..., Discloser] | None = None
    for_organization: Callable[..., Discloser] | None = None


_registry = _Registry()


def register(
    *,
    for_community: Callable[..., Discloser],
    for_organization: Callable[..., Discloser],
) -> None:
    """Install the disclosers (called once by the dashboards app at start-up)."""
    _registry.for_community = for_community
    _registry.for_organization = for_organization


def _require(factory: Callable[..., Discloser] | None) -> Callable[..., Discloser]:
    if factory is None:
        raise ImproperlyConfigured(
            "No discloser is registered: the dashboards app must be installed so the data "
            "pages can apply the disclosure rule."
        )
    return factory


def ObservationDiscloser(*, user: Any, community: Community) -> Discloser:  # noqa: N802
    """The discloser of one person's view of one CoP's observations."""
    return _require(_registry.for_community)(user=user, community=community)


def OrganizationDiscloser(*, user: Any) -> Discloser:  # noqa: N802
    """The discloser of one person's view of observations of several CoPs."""
    return _require(_registry.for_organization)(user=user)
