"""Demo data modelled on the seed documents, loaded idempotently by ``manage.py seed_demo``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_scopes import scope, scopes_disabled

from communities.models import Community, CommunityRoleAssignment
from communities.services import community_create, role_assign
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import CommunityRole, OrgRole
from copcore.services import membership_add, organization_create
from measurement.models import Site

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class Persona:
    email: str
    name: str
    org_role: str
    community_role: str
    note: str


NETWORK = ("Northshore Mental Health Implementation Network", "northshore")
PERSONAS = [
    Persona(
        "convener@example.org",
        "Amara Okafor",
        OrgRole.ADMIN,
        CommunityRole.CONVENER,
        "org admin, convener of both CoPs",
    ),
    Persona(
        "moderator@example.org",
        "Luis Herrera",
        OrgRole.MEMBER,
        CommunityRole.MODERATOR,
        "moderator",
    ),
    Persona(
        "facilitator@example.org",
        "Mei Chen",
        OrgRole.MEMBER,
        CommunityRole.FACILITATOR,
        "facilitator",
    ),
    Persona(
        "steward@example.org",
        "Daniel Byrne",
        OrgRole.MEMBER,
        CommunityRole.DATA_STEWARD,
        "data steward",
    ),
    Persona("member@example.org", "Priya Nair", OrgRole.MEMBER, CommunityRole.MEMBER, "member"),
    Persona(
        "sponsor@example.org",
        "Helen Whitfield",
        OrgRole.MEMBER,
        CommunityRole.SPONSOR,
        "sponsor (read-only)",
    ),
]
OUTSIDER_NETWORK = ("Southvale Quality Programme", "southvale")
OUTSIDER = Persona(
    "outsider@example.org",
    "Tomás Silva",
    OrgRole.ADMIN,
    CommunityRole.CONVENER,
    "another organization",
)
COMMUNITIES = [
    ("CoP to reduce alcohol-related readmissions through assertive outreach", "alcohol-outreach"),
    ("CoP to cut time to antibiotics in sepsis", "sepsis"),
]
SITES = [
    ("Northshore General Hospital", "NGH", Site.Kind.HOSPITAL),
    ("Riverside Community Mental Health Team", "RCMHT", Site.Kind.TEAM),
    ("Harbour Street Clinic", "HSC", Site.Kind.CLINIC),
    ("Eastfield Alcohol Outreach Service", "EAOS", Site.Kind.COMMUNITY_SERVICE),
    ("St Brigid's Hospital", "SBH", Site.Kind.HOSPITAL),
]


def _user(persona: Persona) -> User:
    user = User.objects.filter(email=persona.email).first()
    if user is None:
        user = User.objects.create_user(
            email=persona.email, password=DEMO_PASSWORD, display_name=persona.name
        )
    return user


def _organization(name: str, slug: str, admin: User) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    return organization or organization_create(actor=None, name=name, slug=slug, admin=admin)


def _community(organization: Organization, admin: User, name: str, slug: str) -> Community:
    community = Community.objects.filter(organization=organization, slug=slug).first()
    return community or community_create(
        actor=admin, organization=organization, name=name, slug=slug
    )


def _ensure_role(admin: User, community: Community, user: User, role: str) -> None:
    held = CommunityRoleAssignment.objects.filter(
        community=community, user=user, role=role, ends_on__isnull=True
    ).exists()
    if not held:
        role_assign(actor=admin, community=community, user=user, role=role)


DEMO_MONTHS = 24


def _demo_measures(organization: Organization, admin: User) -> None:
    """Two years of monthly, approved sepsis data at three hospitals, improving after a
    change in the second year, so dashboards and charts have something to show. Loaded
    through the measurement services (the same checks and COPY path as an import)."""
    import datetime as dt

    from measurement import services as measurement
    from measurement.models import Measure

    sepsis = Community.objects.get(organization=organization, slug="sepsis")
    if Measure.objects.filter(community=sepsis, code="bundle").exists():
        return
    start = dt.date(dt.date.today().year - 2, 1, 1)
    sites = list(Site.objects.filter(organization=organization, code__in=["NGH", "SBH", "HSC"]))
    for wave, site in enumerate(sorted(sites, key=lambda s: s.code), start=1):
        measurement.enrolment_save(
            actor=admin, community=sepsis, site=site, wave=min(wave, 2), enrolled_on=start
        )
    measurement.measure_save(
        actor=admin, community=sepsis, code="bundle",
        name="Sepsis Six bundle completed within one hour",
        kind=Measure.Kind.PROCESS, value_type=Measure.ValueType.PROPORTION,
        frequency=Measure.Frequency.MONTHLY, chart_type=Measure.ChartType.P,
        direction=Measure.Direction.UP,
    )  # fmt: skip
    measurement.measure_save(
        actor=admin, community=sepsis, code="mortality", name="Sepsis mortality",
        kind=Measure.Kind.OUTCOME, value_type=Measure.ValueType.PROPORTION,
        frequency=Measure.Frequency.MONTHLY, chart_type=Measure.ChartType.P,
        direction=Measure.Direction.DOWN,
    )  # fmt: skip
    rows = []
    for index in range(DEMO_MONTHS):
        period = dt.date(start.year + index // 12, index % 12 + 1, 1)
        improved = index >= 12
        for number, site in enumerate(sites):
            patients = 40 + 10 * number + (index * 7 + number * 3) % 9
            bundle = round(patients * ((0.72 if improved else 0.48) + ((index + number) % 5) / 50))
            deaths = round(
                patients * ((0.11 if improved else 0.16) - ((index * 3 + number) % 4) / 100)
            )
            for code, numerator in (("bundle", bundle), ("mortality", deaths)):
                rows.append({"measure_code": code, "site_code": site.code,
                             "period": period.isoformat(), "numerator": numerator,
                             "denominator": patients})  # fmt: skip
    result = measurement.observations_import_rows(actor=admin, community=sepsis, rows=rows)
    if result.report.error_count:
        raise RuntimeError(f"demo data refused: {result.report.errors[:3]}")
    if result.batch is not None:
        measurement.observations_approve(actor=admin, community=sepsis, batch=result.batch)


@transaction.atomic
def seed_demo() -> list[Persona]:
    """Create the demo organizations, people, communities and sites if missing."""
    with scopes_disabled():
        users = {p.email: _user(p) for p in [*PERSONAS, OUTSIDER]}
    admin = users[PERSONAS[0].email]
    with scopes_disabled():
        organization = _organization(*NETWORK, admin=admin)
        other = _organization(*OUTSIDER_NETWORK, admin=users[OUTSIDER.email])
    with scope(organization=organization):
        for persona in PERSONAS:
            if not OrganizationMembership.objects.filter(user=users[persona.email]).exists():
                membership_add(
                    actor=admin,
                    organization=organization,
                    user=users[persona.email],
                    role=persona.org_role,
                )
        for name, slug in COMMUNITIES:
            community = _community(organization, admin, name, slug)
            for persona in PERSONAS:
                _ensure_role(admin, community, users[persona.email], persona.community_role)
        for name, code, kind in SITES:
            Site.objects.get_or_create(
                organization=organization,
                code=code,
                defaults={"name": name, "kind": kind, "country": "United Kingdom"},
            )
        _demo_measures(organization, admin)
    with scope(organization=other):
        _community(
            other, users[OUTSIDER.email], "CoP to improve postpartum follow-up", "postpartum"
        )
        Site.objects.get_or_create(
            organization=other,
            code="SVM",
            defaults={"name": "Southvale Maternity Unit", "kind": Site.Kind.HOSPITAL},
        )
    return [*PERSONAS, OUTSIDER]
