"""Checks several session writes share: people must belong to the organization, meetings end
after they start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from copcore.models import Organization, OrganizationMembership, User


def _require_org_members(
    organization: Organization, users: Iterable[User | None], field: str
) -> None:
    ids = {u.pk for u in users if u is not None}
    if not ids:
        return
    found = set(
        OrganizationMembership.objects.filter(
            organization=organization, user_id__in=ids
        ).values_list("user_id", flat=True)
    )
    if ids - found:
        raise ValidationError({field: _("Choose people who are members of this organization.")})


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session must end after it starts.")})
