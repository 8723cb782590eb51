"""Polls: one vote each, closed polls refuse votes."""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from sessions.models import (
    Poll,
    PollOption,
    PollVote,
    PollVoter,
    Session,
)

# --- polls -----------------------------------------------------------------------


@transaction.atomic
def poll_create(
    *,
    actor: User,
    session: Session,
    question: str,
    options: Sequence[str],
    multiple_choice: bool = False,
    anonymous: bool = False,
) -> Poll:
    cleaned = [o.strip() for o in options if o and o.strip()]
    if len(cleaned) < 2:
        raise ValidationError({"options": _("Give at least two options.")})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"options": _("Each option must be different.")})
    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    poll = Poll.objects.create(
        organization=session.organization,
        session=session,
        question=question.strip()[:300],
        multiple_choice=multiple_choice,
        anonymous=anonymous,
        created_by=actor,
    )
    PollOption.objects.bulk_create(
        [
            PollOption(organization=session.organization, poll=poll, text=text[:200], position=i)
            for i, text in enumerate(cleaned)
        ]
    )
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.poll_created",
        target=poll,
        data={"anonymous": anonymous, "multiple_choice": multiple_choice},
    )
    return poll


@transaction.atomic
def poll_vote(*, actor: User, poll: Poll, option_ids: Sequence[int]) -> None:
    """Vote once. A closed poll, a second vote, no option, several options on a
    single-choice poll or an option of another poll: ValidationError, nothing saved.

    For an anonymous poll the voter is recorded apart from the chosen options, and
    the audit event does not say what was chosen.
    """
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.is_open:
        raise ValidationError(_("This poll is closed: votes are no longer accepted."))
    chosen = sorted({int(i) for i in option_ids})
    if not chosen:
        raise ValidationError({"options": _("Choose an option.")})
    if len(chosen) > 1 and not poll.multiple_choice:
        raise ValidationError({"options": _("Choose only one option in this poll.")})
    options = list(PollOption.objects.filter(poll=poll, pk__in=chosen))
    if len(options) != len(chosen):
        raise ValidationError({"options": _("Choose among this poll's options.")})
    if PollVoter.objects.filter(poll=poll, user=actor).exists():
        raise ValidationError(_("You have already voted in this poll."))
    try:
        with transaction.atomic():
            PollVoter.objects.create(organization=poll.organization, poll=poll, user=actor)
    except IntegrityError:
        raise ValidationError(_("You have already voted in this poll."))
    votes = [
        PollVote(
            organization=poll.organization,
            poll=poll,
            option=option,
            voter=None if poll.anonymous else actor,
        )
        for option in options
    ]
    if poll.anonymous:
        random.shuffle(votes)
    PollVote.objects.bulk_create(votes)
    audit_record(
        organization=poll.organization,
        actor=actor,
        verb="sessions.poll_voted",
        target=poll,
        data={} if poll.anonymous else {"options": chosen},
    )


@transaction.atomic
def poll_set_open(*, actor: User, poll: Poll, is_open: bool) -> Poll:
    poll.is_open = is_open
    poll.closed_at = None if is_open else timezone.now()
    poll.save(update_fields=["is_open", "closed_at"])
    audit_record(
        organization=poll.organization,
        actor=actor,
        verb="sessions.poll_reopened" if is_open else "sessions.poll_closed",
        target=poll,
    )
    return poll
