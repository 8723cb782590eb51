"""Breakout groups: a manual or random split and each group's notes."""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from sessions.models import (
    BreakoutGroup,
    BreakoutMember,
    Session,
)
from sessions.services.common import _require_org_members

# --- breakout groups -------------------------------------------------------------


@transaction.atomic
def breakouts_split(
    *,
    actor: User,
    session: Session,
    groups: Sequence[Sequence[User]],
    names: Sequence[str] | None = None,
) -> list[BreakoutGroup]:
    """Replace the session's breakout groups with these (made by hand or at random)."""
    people = [u for group in groups for u in group]
    if len({u.pk for u in people}) != len(people):
        raise ValidationError({"groups": _("A person can be in only one group.")})
    if not groups:
        raise ValidationError({"groups": _("Make at least one group.")})
    _require_org_members(session.organization, people, "groups")
    BreakoutGroup.objects.filter(session=session).delete()
    created = []
    for i, members in enumerate(groups):
        name = (
            names[i] if names and i < len(names) and names[i] else _("Group %(n)d") % {"n": i + 1}
        )
        group = BreakoutGroup.objects.create(
            organization=session.organization, session=session, name=name[:100], position=i
        )
        BreakoutMember.objects.bulk_create(
            [
                BreakoutMember(
                    organization=session.organization, session=session, group=group, user=user
                )
                for user in members
            ]
        )
        created.append(group)
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.breakouts_made",
        target=session,
        data={"groups": [len(g) for g in groups]},
    )
    return created


def random_groups(
    people: Sequence[User], group_count: int, rng: random.Random | None = None
) -> list[list[User]]:
    """Deal people at random into ``group_count`` groups whose sizes differ by at most one."""
    if group_count < 1:
        raise ValidationError({"group_count": _("Make at least one group.")})
    if group_count > max(len(people), 1):
        raise ValidationError(
            {"group_count": _("There are more groups than people to put in them.")}
        )
    shuffled = list(people)
    (rng or random.SystemRandom()).shuffle(shuffled)
    return [shuffled[i::group_count] for i in range(group_count)]


@transaction.atomic
def breakout_notes_update(*, actor: User, group: BreakoutGroup, notes: str) -> BreakoutGroup:
    group.notes = notes
    group.save(update_fields=["notes"])
    audit_record(
        organization=group.organization,
        actor=actor,
        verb="sessions.breakout_notes_saved",
        target=group,
    )
    return group
