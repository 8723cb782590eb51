"""Series, their facilitator rota, and the occurrences generated ahead from the recurrence rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from communities.models import Community
from copcore.models import Organization, User
from copcore.services import audit_record
from sessions import recurrence
from sessions.models import (
    FacilitatorSwapRequest,
    RotaEntry,
    Session,
    SessionKind,
    SessionSeries,
    SwapStatus,
)
from sessions.services.common import _require_org_members

GENERATE_AHEAD = dt.timedelta(days=183)


# --- series, rota and occurrences ------------------------------------------------


@transaction.atomic
def series_create(
    *,
    actor: User,
    community: Community,
    title: str,
    kind: str,
    rrule: str,
    time_zone: str,
    first_date: dt.date,
    start_time: dt.time,
    duration_minutes: int = 60,
    video_link: str = "",
    description: str = "",
    rota: Sequence[User] = (),
    now: dt.datetime | None = None,
) -> SessionSeries:
    """Create a series, check its rule, set its rota and generate sessions ahead."""
    if kind not in SessionKind.values:
        raise ValidationError({"kind": _("Unknown kind of session.")})
    if duration_minutes is None or duration_minutes <= 0:
        raise ValidationError({"duration_minutes": _("The duration must be at least a minute.")})
    recurrence.build_rule(
        rule_text=rrule, time_zone=time_zone, first_date=first_date, start_time=start_time
    )
    series = SessionSeries(
        organization=community.organization,
        community=community,
        title=title,
        kind=kind,
        rrule=recurrence.normalise(rrule),
        time_zone=time_zone,
        first_date=first_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        video_link=video_link,
        description=description,
        created_by=actor,
    )
    series.full_clean(exclude=["organization", "community", "created_by"])
    series.save()
    _rota_write(series, rota)
    audit_record(
        organization=series.organization,
        actor=actor,
        verb="sessions.series_created",
        target=series,
        data={"rrule": series.rrule, "time_zone": time_zone, "community": community.slug},
    )
    occurrences_generate(series=series, now=now)
    return series


def _rota_write(series: SessionSeries, rota: Sequence[User]) -> None:
    _require_org_members(series.organization, rota, "rota")
    RotaEntry.objects.filter(series=series).delete()
    RotaEntry.objects.bulk_create(
        [
            RotaEntry(organization=series.organization, series=series, user=user, position=i)
            for i, user in enumerate(rota)
        ]
    )


def _rota_user(rota: Sequence[User], index: int | None) -> User | None:
    if not rota or index is None:
        return None
    return rota[index % len(rota)]


@transaction.atomic
def series_rota_set(
    *, actor: User, series: SessionSeries, rota: Sequence[User], now: dt.datetime | None = None
) -> SessionSeries:
    """Replace the rota; upcoming generated sessions follow it (turns already swapped
    by an accepted request keep their facilitator)."""
    rota = list(rota)
    _rota_write(series, rota)
    now = now or timezone.now()
    swapped = FacilitatorSwapRequest.objects.filter(status=SwapStatus.ACCEPTED).values("session")
    swapped_back = FacilitatorSwapRequest.objects.filter(
        status=SwapStatus.ACCEPTED, swap_session__isnull=False
    ).values("swap_session")
    upcoming = (
        Session.objects.filter(series=series, starts_at__gte=now)
        .exclude(pk__in=swapped)
        .exclude(pk__in=swapped_back)
    )
    for session in upcoming:
        session.facilitator = _rota_user(rota, session.occurrence_index)
        session.save(update_fields=["facilitator", "updated_at"])
    audit_record(
        organization=series.organization,
        actor=actor,
        verb="sessions.rota_set",
        target=series,
        data={"rota": [u.email for u in rota]},
    )
    return series


@transaction.atomic
def series_deactivate(*, actor: User, series: SessionSeries) -> SessionSeries:
    """Stop generating new sessions; existing ones stay."""
    series.is_active = False
    series.save(update_fields=["is_active"])
    audit_record(
        organization=series.organization, actor=actor, verb="sessions.series_ended", target=series
    )
    return series


@transaction.atomic
def occurrences_generate(*, series: SessionSeries, now: dt.datetime | None = None) -> int:
    """Create the series' sessions up to six months ahead. Idempotent: an occurrence
    already created (even if since moved or cancelled) is never created again.
    Returns the number of sessions created."""
    if not series.is_active:
        return 0
    now = now or timezone.now()
    horizon = now + GENERATE_AHEAD
    series = SessionSeries.objects.select_for_update().get(pk=series.pk)
    existing = set(
        Session.objects.filter(series=series, occurrence_start__isnull=False).values_list(
            "occurrence_start", flat=True
        )
    )
    rota = [entry.user for entry in series.rota.select_related("user")]
    duration = dt.timedelta(minutes=series.duration_minutes)
    new = []
    for occurrence in recurrence.occurrences(
        rule_text=series.rrule,
        time_zone=series.time_zone,
        first_date=series.first_date,
        start_time=series.start_time,
        until=horizon,
    ):
        if occurrence.starts_at in existing or occurrence.starts_at < now - duration:
            continue
        new.append(
            Session(
                organization=series.organization,
                community_id=series.community_id,
                series=series,
                occurrence_start=occurrence.starts_at,
                occurrence_index=occurrence.index,
                title=series.title,
                kind=series.kind,
                starts_at=occurrence.starts_at,
                ends_at=occurrence.starts_at + duration,
                time_zone=series.time_zone,
                video_link=series.video_link,
                facilitator=_rota_user(rota, occurrence.index),
            )
        )
    Session.objects.bulk_create(new, ignore_conflicts=True)
    series.generated_until = horizon
    series.save(update_fields=["generated_until"])
    if new:
        audit_record(
            organization=series.organization,
            actor=None,
            verb="sessions.occurrences_generated",
            target=series,
            data={"created": len(new), "until": horizon.isoformat()},
        )
    return len(new)


def occurrences_generate_all(*, now: dt.datetime | None = None) -> int:
    """Generate ahead for every active series of every organization (daily task)."""
    created = 0
    with scopes_disabled():
        organizations = list(Organization.objects.filter(is_active=True))
    for organization in organizations:
        with scope(organization=organization):
            for series in SessionSeries.objects.filter(organization=organization, is_active=True):
                created += occurrences_generate(series=series, now=now)
    return created
