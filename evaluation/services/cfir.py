"""CFIR rounds and ratings, and the ERIC strategies chosen and linked for each barrier."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from evaluation.models import (
    CfirConstruct,
    CfirRating,
    CfirRound,
    EricStrategy,
    StrategyChoice,
)
from evaluation.services.common import _writable
from knowledge.models import TestOfChange
from measurement.models import Measure, Site

# --------------------------------------------------------------------------- CFIR


@transaction.atomic
def cfir_round_create(
    *, actor: User, community: Community, title: str, held_on: dt.date, notes: str = ""
) -> CfirRound:
    _writable(community)
    if not title.strip():
        raise ValidationError({"title": _("Give the round a title.")})
    cfir_round = CfirRound.objects.create(
        organization=community.organization,
        community=community,
        title=title.strip(),
        held_on=held_on,
        notes=notes,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.cfir_round_created",
        target=cfir_round,
        data={"community": community.slug, "held_on": held_on.isoformat()},
    )
    return cfir_round


@transaction.atomic
def cfir_ratings_save(
    *,
    actor: User,
    cfir_round: CfirRound,
    site: Site,
    entries: list[tuple[CfirConstruct, int | None, str]],
) -> int:
    """Save one site's ratings in a round (construct, rating or None, evidence). A
    construct left without rating and evidence is removed; returns how many are kept."""
    community = cfir_round.community
    _writable(community)
    if site.organization_id != community.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    errors = {}
    for construct, rating, _evidence in entries:
        if rating is not None and not -2 <= rating <= 2:
            errors[construct.code] = _("A rating is a whole number from -2 to +2.")
    if errors:
        raise ValidationError(errors)
    existing = {
        r.construct_id: r
        for r in CfirRating.objects.filter(round=cfir_round, site=site).annotate(
            has_strategies=Exists(StrategyChoice.objects.filter(barrier=OuterRef("pk")))
        )
    }
    now = timezone.now()
    kept = 0
    changed = 0
    for construct, rating, evidence in entries:
        evidence = evidence.strip()
        current = existing.get(construct.pk)
        if rating is None and not evidence:
            if current is not None and not current.has_strategies:
                current.delete()
                changed += 1
            elif current is not None:
                kept += 1
            continue
        kept += 1
        if current is None:
            CfirRating.objects.create(
                organization=community.organization,
                round=cfir_round,
                site=site,
                construct=construct,
                rating=rating,
                evidence=evidence,
                rated_by=actor,
                updated_at=now,
            )
            changed += 1
        elif current.rating != rating or current.evidence != evidence:
            if current.has_strategies and (rating is None or rating >= 0):
                raise ValidationError(
                    {
                        construct.code: _(
                            "%(c)s has strategies chosen for it as a barrier; remove them "
                            "before rating it as neutral or a facilitator."
                        )
                        % {"c": construct.label}
                    }
                )
            current.rating = rating
            current.evidence = evidence
            current.rated_by = actor
            current.updated_at = now
            current.save(update_fields=["rating", "evidence", "rated_by", "updated_at"])
            changed += 1
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.cfir_ratings_saved",
        target=cfir_round,
        data={"site": site.pk, "changed": changed},
    )
    return kept


@transaction.atomic
def strategy_choose(
    *, actor: User, barrier: CfirRating, strategy: EricStrategy, rationale: str = ""
) -> StrategyChoice:
    """Address a barrier (a negative rating) with an ERIC strategy."""
    community = barrier.round.community
    _writable(community)
    if not barrier.is_barrier:
        raise ValidationError(_("Only a negative rating (a barrier) can be given strategies."))
    if StrategyChoice.objects.filter(barrier=barrier, strategy=strategy).exists():
        raise ValidationError({"strategy": _("This strategy is already chosen for the barrier.")})
    choice = StrategyChoice.objects.create(
        organization=community.organization,
        community=community,
        barrier=barrier,
        strategy=strategy,
        rationale=rationale,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.strategy_chosen",
        target=choice,
        data={"barrier": barrier.pk, "strategy": strategy.number},
    )
    return choice


@transaction.atomic
def strategy_link(
    *,
    actor: User,
    choice: StrategyChoice,
    tests: list[TestOfChange],
    measures: list[Measure],
    rationale: str | None = None,
) -> StrategyChoice:
    """Set the PDSA tests that try the strategy and the measures that watch it; both
    must belong to the same CoP."""
    community = choice.community
    _writable(community)
    errors = {}
    if any(t.community_id != community.pk for t in tests):
        errors["tests"] = _("Choose tests of change of this community.")
    if any(m.community_id != community.pk for m in measures):
        errors["measures"] = _("Choose measures of this community.")
    if errors:
        raise ValidationError(errors)
    choice.tests.set(tests)
    choice.measures.set(measures)
    if rationale is not None:
        choice.rationale = rationale
        choice.save(update_fields=["rationale"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.strategy_linked",
        target=choice,
        data={"tests": [t.pk for t in tests], "measures": [m.pk for m in measures]},
    )
    return choice


@transaction.atomic
def strategy_remove(*, actor: User, choice: StrategyChoice) -> None:
    community = choice.community
    _writable(community)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="evaluation.strategy_removed",
        target=choice,
        data={"strategy": choice.strategy.number, "barrier": choice.barrier_id},
    )
    choice.delete()
