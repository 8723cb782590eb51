"""Approval: a data steward approves submitted observations or returns them with a
reason. Keyword-only, typed, atomic and audited.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from measurement import access
from measurement.models import (
    ImportBatch,
    Observation,
)


def _review(
    *,
    actor: User,
    community: Community,
    observation_ids: Iterable[int] = (),
    batch: ImportBatch | None = None,
    approve: bool,
    comment: str = "",
) -> int:
    access.require(access.can_approve(actor, community))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what needs correcting.")})
    rows = Observation.objects.filter(
        measure__community=community, status=Observation.Status.SUBMITTED
    )
    if batch is not None:
        rows = rows.filter(batch=batch)
    else:
        ids = [int(i) for i in observation_ids]
        if not ids:
            raise ValidationError(_("Choose at least one row."))
        rows = rows.filter(pk__in=ids)
    changed = rows.update(
        status=Observation.Status.APPROVED if approve else Observation.Status.RETURNED,
        review_comment="" if approve else comment.strip(),
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.data_approved" if approve else "measurement.data_returned",
        target=batch if batch is not None else community,
        data={
            "rows": changed,
            "batch": batch.pk if batch is not None else None,
            "observations": None if batch is not None else sorted(ids)[:1000],
            "comment": comment.strip(),
        },
    )
    return changed


@transaction.atomic
def observations_approve(
    *,
    actor: User,
    community: Community,
    observation_ids: Iterable[int] = (),
    batch: ImportBatch | None = None,
) -> int:
    """Approve submitted rows (chosen ones, or all of a batch). Audited as one decision."""
    return _review(
        actor=actor, community=community, observation_ids=observation_ids, batch=batch,
        approve=True,
    )  # fmt: skip


@transaction.atomic
def observations_return(
    *,
    actor: User,
    community: Community,
    comment: str,
    observation_ids: Iterable[int] = (),
    batch: ImportBatch | None = None,
) -> int:
    """Send submitted rows back to the stewards with a comment saying what to fix."""
    return _review(
        actor=actor, community=community, observation_ids=observation_ids, batch=batch,
        approve=False, comment=comment,
    )  # fmt: skip


# Imports ----------------------------------------------------------------------------
