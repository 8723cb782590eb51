"""Path values for the generic isolation test: a member of organization A."""

from __future__ import annotations


def path_values(world) -> dict[str, str]:
    return {"user_id": str(world.member.pk)}
