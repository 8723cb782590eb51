"""Writes of the monthly progress ratings (IHI Assessment Scale) and of who leads a
site's team. A rating is for the current calendar month and may be revised until the
month ends; after that it stays as it was (its revisions are in its history)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from evaluation.models import LEVELS, ProgressRating
from evaluation.services.common import _writable
from measurement.models import Site, SiteEnrolment

NOTE_MAX = 1000


def current_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month being rated now (the local date's month)."""
    today = today or timezone.localdate()
    return today.replace(day=1)


def _enrolment(community: Community, site: Site) -> SiteEnrolment:
    enrolment = SiteEnrolment.objects.filter(community=community, site=site).first()
    if enrolment is None:
        raise ValidationError({"site": _("Choose a site enrolled in this community.")})
    return enrolment


def _score(raw: Decimal | str | float) -> Decimal:
    try:
        score = Decimal(str(raw)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        score = Decimal("0")
    if score not in LEVELS:
        raise ValidationError({"score": _("Choose a level of the scale, from 1.0 to 5.0.")})
    return score


@transaction.atomic
def progress_rate(
    *,
    actor: User,
    community: Community,
    site: Site,
    kind: str,
    score: Decimal | str,
    note: str = "",
    may_rate_as_faculty: bool,
    month: dt.date | None = None,
) -> ProgressRating:
    """Record (or revise) the month's rating of a site team. A self-rating is the site
    team lead's alone; a faculty rating needs the assessing role (the caller says
    whether the actor holds it: ``may_rate_as_faculty``). Only the current month can be
    rated or revised."""
    _writable(community)
    enrolment = _enrolment(community, site)
    if kind == ProgressRating.Kind.SELF:
        if enrolment.team_lead_id != actor.pk:
            raise PermissionDenied
    elif kind == ProgressRating.Kind.FACULTY:
        if not may_rate_as_faculty:
            raise PermissionDenied
    else:
        raise ValidationError({"kind": _("Choose a self-rating or a faculty rating.")})
    this_month = current_month()
    month = month or this_month
    if month != this_month:
        raise ValidationError(
            {"month": _("Only the current month can be rated or revised; past months are kept.")}
        )
    value = _score(score)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note to %(n)s characters or fewer.") % {"n": NOTE_MAX}}
        )
    now = timezone.now()
    rating = (
        ProgressRating.objects.select_for_update()
        .filter(community=community, site=site, month=month, kind=kind)
        .first()
    )
    created = rating is None
    if rating is None:
        rating = ProgressRating(
            organization=community.organization,
            community=community,
            site=site,
            month=month,
            kind=kind,
            created_at=now,
        )
    rating.score = value
    rating.note = note
    rating.rated_by = actor
    rating.updated_at = now
    rating._history_user = actor  # type: ignore[attr-defined]  # read by simple-history
    rating.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.progress_rated" if created else "evaluation.progress_revised",
        target=rating,
        data={
            "community": community.slug,
            "site": site.code,
            "month": month.isoformat(),
            "kind": kind,
            "score": str(value),
        },
    )
    return rating


@transaction.atomic
def site_team_lead_set(
    *, actor: User, community: Community, site: Site, team_lead: User | None
) -> SiteEnrolment:
    """Name (or clear) the person who leads a site's team in the CoP; they self-rate the
    team's progress. They must be a member of the CoP (hold a role in it)."""
    from communities.models import CommunityRoleAssignment

    _writable(community)
    enrolment = _enrolment(community, site)
    if (
        team_lead is not None
        and not CommunityRoleAssignment.objects.filter(community=community, user=team_lead)
        .active_on(timezone.localdate())
        .exists()
    ):
        raise ValidationError({"team_lead": _("Choose a member of this community.")})
    enrolment.team_lead = team_lead
    enrolment.save(update_fields=["team_lead"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.site_team_lead_set",
        target=enrolment,
        data={
            "community": community.slug,
            "site": site.code,
            "team_lead": team_lead.pk if team_lead else None,
        },
    )
    return enrolment
