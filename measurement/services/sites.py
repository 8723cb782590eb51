"""Writes of the reference data a CoP's measurement rests on: sites (with their
parents), stratifiers and their categories, site enrolments, and a CoP's data policy.
Keyword-only, typed, atomic and audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import Organization, OrganizationMembership, User
from copcore.services import audit_record
from copcore.spreadsheet import check_code
from measurement.models import (
    CommunityDataPolicy,
    Site,
    SiteEnrolment,
    Stratifier,
    StratifierCategory,
)

# Sites, stratifiers, enrolments, policy --------------------------------------------


def _check_parent(site: Site, parent: Site | None) -> None:
    if parent is None:
        return
    if parent.organization_id != site.organization_id:
        raise ValidationError({"parent": _("Choose a site of this organization.")})
    seen = set()
    node: Site | None = parent
    while node is not None:
        if node.pk == site.pk and site.pk is not None:
            raise ValidationError({"parent": _("A site cannot be inside itself.")})
        if node.pk in seen:
            break
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def site_save(
    *, actor: User, organization: Organization, site: Site | None = None, **fields: Any
) -> Site:
    """Create (``site`` None) or update a site of the organization."""
    creating = site is None
    site = site or Site(organization=organization)
    for name, value in fields.items():
        setattr(site, name, value)
    _check_parent(site, fields.get("parent"))
    check_code("code", site.code)
    if (
        Site.objects.filter(organization=organization, code__iexact=site.code)
        .exclude(pk=site.pk)
        .exists()
    ):
        raise ValidationError({"code": _("Another site already uses this code.")})
    site.full_clean(exclude=["organization", "parent"])
    site.save()
    audit_record(
        organization=organization,
        actor=actor,
        verb="measurement.site_created" if creating else "measurement.site_updated",
        target=site,
        data={"code": site.code},
    )
    return site


@transaction.atomic
def stratifier_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name: str,
    description: str = "",
    categories: list[tuple[str, str]],
) -> Stratifier:
    """A stratifier with its categories in the given order."""
    check_code("code", code)
    for category_code, _label in categories:
        check_code("categories", category_code)
    if Stratifier.objects.filter(organization=organization, code=code).exists():
        raise ValidationError({"code": _("Another stratifier already uses this code.")})
    codes = [c for c, _label in categories]
    if not categories:
        raise ValidationError({"categories": _("Give at least one category.")})
    if len(set(codes)) != len(codes):
        raise ValidationError({"categories": _("Each category needs its own code.")})
    stratifier = Stratifier.objects.create(
        organization=organization, code=code, name=name, description=description
    )
    StratifierCategory.objects.bulk_create(
        StratifierCategory(
            organization=organization,
            stratifier=stratifier,
            code=category_code,
            label=label,
            position=position,
        )
        for position, (category_code, label) in enumerate(categories)
    )
    audit_record(
        organization=organization,
        actor=actor,
        verb="measurement.stratifier_created",
        target=stratifier,
        data={"code": code, "categories": codes},
    )
    return stratifier


@transaction.atomic
def enrolment_save(
    *,
    actor: User,
    community: Community,
    site: Site,
    wave: int,
    enrolled_on: dt.date,
    ends_on: dt.date | None = None,
    mentor_site: Site | None = None,
) -> SiteEnrolment:
    """Enrol a site in a CoP (or change its wave, dates or mentor)."""
    if site.organization_id != community.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    if ends_on is not None and ends_on < enrolled_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    if mentor_site is not None:
        if mentor_site.pk == site.pk:
            raise ValidationError({"mentor_site": _("A site cannot mentor itself.")})
        mentor = SiteEnrolment.objects.filter(community=community, site=mentor_site).first()
        if mentor is None or mentor.wave >= wave:
            raise ValidationError(
                {"mentor_site": _("The mentor must be a site of an earlier wave of this CoP.")}
            )
    enrolment, created = SiteEnrolment.objects.update_or_create(
        community=community,
        site=site,
        defaults={
            "organization": community.organization,
            "wave": wave,
            "enrolled_on": enrolled_on,
            "ends_on": ends_on,
            "mentor_site": mentor_site,
        },
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.site_enrolled" if created else "measurement.enrolment_updated",
        target=enrolment,
        data={
            "site": site.code,
            "wave": wave,
            "enrolled_on": enrolled_on.isoformat(),
            "mentor_site": mentor_site.code if mentor_site else None,
        },
    )
    return enrolment


@transaction.atomic
def data_policy_update(
    *, actor: User, community: Community, requires_approval: bool, data_lead: User | None
) -> CommunityDataPolicy:
    if (
        data_lead is not None
        and not OrganizationMembership.objects.filter(
            organization=community.organization, user=data_lead
        ).exists()
    ):
        raise ValidationError({"data_lead": _("The data lead must be a member.")})
    policy, _created = CommunityDataPolicy.objects.update_or_create(
        community=community,
        defaults={
            "organization": community.organization,
            "requires_approval": requires_approval,
            "data_lead": data_lead,
        },
    )
    community.__dict__.pop("_measurement_policy", None)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.data_policy_updated",
        target=community,
        data={
            "requires_approval": requires_approval,
            "data_lead": data_lead.email if data_lead else None,
        },
    )
    return policy


# Measures ------------------------------------------------------------------------
