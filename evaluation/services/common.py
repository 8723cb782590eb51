"""The rule every evaluation write shares: an archived community is read-only."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from communities.models import Community


def _writable(community: Community) -> None:
    if community.is_archived:
        raise ValidationError(_("This community is archived and can no longer be changed."))
