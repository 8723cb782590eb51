"""The demo's people, organizations, sites and role terms.

The six logins of the README (and the outsider) keep their addresses and password;
a few more people without a login make the network look lived in (a former moderator
who handed over, an equity advisor whose term ends soon, members at the sites)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from communities.models import Community, CommunityRoleAssignment
from communities.services import community_create, role_assign
from copcore.demo.clock import backdate, today
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import CommunityRole, OrgRole
from copcore.services import membership_add, organization_create
from measurement import services as measurement
from measurement.models import Site

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class Persona:
    email: str
    name: str
    org_role: str
    note: str
    login: bool = True


CONVENER = Persona(
    "convener@example.org",
    "Amara Okafor",
    OrgRole.ADMIN,
    "org admin, convener of the three CoPs: design gate, warnings, approvals, curation",
)
MODERATOR = Persona(
    "moderator@example.org",
    "Luis Herrera",
    OrgRole.MEMBER,
    "moderator of the sepsis CoP: a flagged post in the moderation queue",
)
FACILITATOR = Persona(
    "facilitator@example.org",
    "Mei Chen",
    OrgRole.MEMBER,
    "facilitator: the ECHO clinic and office-hours rota, attendance",
)
STEWARD = Persona(
    "steward@example.org",
    "Daniel Byrne",
    OrgRole.MEMBER,
    "data steward: data due for last month and an import with row errors",
)
MEMBER = Persona(
    "member@example.org",
    "Priya Nair",
    OrgRole.MEMBER,
    "member: action items, a mention, sessions next week, a digest to read",
)
SPONSOR = Persona(
    "sponsor@example.org",
    "Helen Whitfield",
    OrgRole.MEMBER,
    "sponsor (read-only): dashboards of approved data",
)
OUTSIDER = Persona(
    "outsider@example.org",
    "Tomás Silva",
    OrgRole.ADMIN,
    "admin of a second organization (to see tenancy at work)",
)
PERSONAS = [CONVENER, MODERATOR, FACILITATOR, STEWARD, MEMBER, SPONSOR]

# People without a login: they give the CoPs their history.
FORMER_MODERATOR = Persona("samuel.osei@example.org", "Samuel Osei", OrgRole.MEMBER, "", False)
EQUITY_ADVISOR = Persona("grace.mensah@example.org", "Grace Mensah", OrgRole.MEMBER, "", False)
EXPERT = Persona("aisha.rahman@example.org", "Aisha Rahman", OrgRole.MEMBER, "", False)
NURSE = Persona("tom.becker@example.org", "Tom Becker", OrgRole.MEMBER, "", False)
PHARMACIST = Persona("olivia.grant@example.org", "Olivia Grant", OrgRole.MEMBER, "", False)
NEWCOMER = Persona("kofi.asante@example.org", "Kofi Asante", OrgRole.MEMBER, "", False)
EXTRAS = [FORMER_MODERATOR, EQUITY_ADVISOR, EXPERT, NURSE, PHARMACIST, NEWCOMER]

NETWORK = ("Northshore Mental Health Implementation Network", "northshore")
OUTSIDER_NETWORK = ("Southvale Quality Programme", "southvale")

SITES = [
    ("Northshore General Hospital", "NGH", Site.Kind.HOSPITAL),
    ("St Brigid's Hospital", "SBH", Site.Kind.HOSPITAL),
    ("Harbour Street Clinic", "HSC", Site.Kind.CLINIC),
    ("Riverside Community Mental Health Team", "RCMHT", Site.Kind.TEAM),
    ("Eastfield Alcohol Outreach Service", "EAOS", Site.Kind.COMMUNITY_SERVICE),
]


@dataclass
class Cast:
    """Everyone the story needs, looked up once."""

    organization: Organization
    other: Organization
    users: dict[str, User]
    sites: dict[str, Site]

    def __getitem__(self, persona: Persona) -> User:
        return self.users[persona.email]

    @property
    def convener(self) -> User:
        return self[CONVENER]


def _user(persona: Persona) -> User:
    user = User.objects.filter(email=persona.email).first()
    if user is None:
        user = User.objects.create_user(
            email=persona.email,
            password=DEMO_PASSWORD if persona.login else None,
            display_name=persona.name,
            time_zone="Europe/London",
        )
    return user


def _organization(name: str, slug: str, admin: User) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    return organization or organization_create(actor=None, name=name, slug=slug, admin=admin)


def people_and_organizations() -> tuple[dict[str, User], Organization, Organization]:
    """Users and both organizations (call with scopes disabled)."""
    users = {p.email: _user(p) for p in [*PERSONAS, *EXTRAS, OUTSIDER]}
    organization = _organization(*NETWORK, admin=users[CONVENER.email])
    other = _organization(*OUTSIDER_NETWORK, admin=users[OUTSIDER.email])
    return users, organization, other


def memberships(cast: Cast) -> None:
    for persona in [*PERSONAS, *EXTRAS]:
        user = cast[persona]
        if not OrganizationMembership.objects.filter(
            organization=cast.organization, user=user
        ).exists():
            membership_add(
                actor=cast.convener,
                organization=cast.organization,
                user=user,
                role=persona.org_role,
            )


def sites(cast: Cast) -> dict[str, Site]:
    found = {s.code: s for s in Site.objects.filter(organization=cast.organization)}
    for name, code, kind in SITES:
        if code not in found:
            found[code] = measurement.site_save(
                actor=cast.convener,
                organization=cast.organization,
                name=name,
                code=code,
                kind=kind,
                country="United Kingdom",
                region="Northshore",
            )
    return found


def community(
    cast: Cast,
    name: str,
    slug: str,
    organization: Organization | None = None,
    since: dt.date | None = None,
):
    """The CoP, created if missing; its creator convenes it ``since`` that day."""
    organization = organization or cast.organization
    found = Community.objects.filter(organization=organization, slug=slug).first()
    if found is not None:
        return found, False
    admin = cast.convener if organization == cast.organization else cast[OUTSIDER]
    created = community_create(actor=admin, organization=organization, name=name, slug=slug)
    if since is not None:
        backdate(
            CommunityRoleAssignment.objects.filter(community=created, user=admin),
            starts_on=since,
        )
    return created, True


def term(
    cast: Cast,
    community: Community,
    persona: Persona,
    role: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> CommunityRoleAssignment | None:
    """Give a role for a term unless the person has ever held it in the CoP."""
    user = cast[persona]
    held = CommunityRoleAssignment.objects.filter(community=community, user=user, role=role)
    if held.exists():
        return None
    return role_assign(
        actor=cast.convener,
        community=community,
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def keep_a_term_ending_soon(
    cast: Cast, community: Community, persona: Persona, role: str, days: int = 21
) -> None:
    """The convener's succession warning needs a term that ends within 30 days. When the
    last term has ended (the seed runs again on a later day), the person is given a new
    short term from the day the last one ended, as a renewal would."""
    user = cast[persona]
    latest = (
        CommunityRoleAssignment.objects.filter(community=community, user=user, role=role)
        .order_by("-starts_on", "-pk")
        .first()
    )
    today_ = today()
    if latest is not None and (latest.ends_on is None or latest.ends_on > today_):
        return
    starts_on = latest.ends_on if latest is not None else today_ - dt.timedelta(days=330)
    role_assign(
        actor=cast.convener,
        community=community,
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=today_ + dt.timedelta(days=days),
    )


ROLE_NAMES = dict(CommunityRole.choices)
