"""One digest section provider per app (see base.py for the contract).

``providers()`` lists them in the order the digest shows them. Each provider reads
only its own app's models, read-only, for a whole batch of people at once.
"""

from __future__ import annotations

from notifications.sections.base import Batch, Collected, Item, SectionProvider


def providers() -> list[SectionProvider]:
    from evaluation import digest as evaluation
    from notifications.sections import (
        communities,
        followed,
        knowledge,
        measurement,
        sessions,
        signals,
    )

    found: list[SectionProvider] = []
    for module in (communities, followed, knowledge, measurement, sessions, evaluation, signals):
        found.extend(module.PROVIDERS)
    # Sponsor status reads what the chart-signals provider computed for the batch, so
    # providers run in module order; the digest shows them in ``order``.
    return found


__all__ = ["Batch", "Collected", "Item", "SectionProvider", "providers"]
