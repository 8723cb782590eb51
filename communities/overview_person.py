"""What waits for one person, by name, in their CoPs: invitations to answer, the charter
version they have not acknowledged, open surveys they have not answered, data returned
by the reviewer, join requests, requests for a site or measure raised from imports and
curation waiting for them, and their own knowledge
items sent back with changes requested.

The organization home and the CoP overview both read it (for all the person's CoPs or
for one), so the same things show in both places. Every part is one grouped query
whatever the number of CoPs, and each is limited to the CoPs the caller passes with the
person's permissions on them: nothing from a CoP they may not see, nothing from another
organization except the person's own invitations to it (addressed to their email)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Value
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from communities.models import (
    CharterAcknowledgement,
    CharterVersion,
    Community,
    CommunityInvitation,
    CommunityRoleAssignment,
    JoinRequest,
)
from communities.permissions import CommunityPermission as P
from copcore.models import Organization, User
from copcore.permissions import CommunityRole

LIST_LIMIT = 5
CURATE = "knowledge.curate"


@dataclass
class CommunityCount:
    """A number of things waiting in one CoP (join requests, items to curate)."""

    community: Community
    count: int


@dataclass
class ReturnedRows:
    """Observations of one site and period returned by the reviewer: the data-entry
    grid of that site and period is where the steward corrects them."""

    community: Community
    site_id: int
    site_name: str
    frequency: str
    period: dt.date
    count: int

    @property
    def period_label(self) -> str:
        from measurement.periods import period_label

        return period_label(self.frequency, self.period)


@dataclass
class PersonNeeds:
    """Each list holds what waits for the person; empty lists are not shown."""

    org_invitations: list[tuple[Organization, str]] = field(default_factory=list)
    invitations: list[CommunityInvitation] = field(default_factory=list)
    charters: list[CharterVersion] = field(default_factory=list)
    surveys: list[Any] = field(default_factory=list)
    returned: list[ReturnedRows] = field(default_factory=list)
    returned_count: int = 0
    join_requests: list[CommunityCount] = field(default_factory=list)
    import_requests: list[CommunityCount] = field(default_factory=list)
    curation: list[CommunityCount] = field(default_factory=list)
    changes_requested: list[SentBack] = field(default_factory=list)
    progress_ratings: list[Any] = field(default_factory=list)  # SiteEnrolment

    @property
    def anything(self) -> bool:
        return bool(
            self.org_invitations
            or self.invitations
            or self.charters
            or self.surveys
            or self.returned
            or self.join_requests
            or self.import_requests
            or self.curation
            or self.changes_requested
            or self.progress_ratings
        )


def _org_invitations(user: User, organization: Organization) -> list[tuple[Organization, str]]:
    """The person's own unexpired invitations to other organizations, each with the
    link the invitation email carries (the accepting page checks the email again)."""
    from copcore.models import Invitation
    from copcore.services import invitation_token

    since = timezone.now() - dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    with scopes_disabled():
        invitations = list(
            Invitation.objects.filter(
                email__iexact=user.email, accepted_at__isnull=True, created_at__gte=since
            )
            .exclude(organization=organization)
            .exclude(organization__memberships__user=user)
            .select_related("organization")
            .order_by("-created_at")[:LIST_LIMIT]
        )
    return [
        (i.organization, reverse("invitation_accept", kwargs={"token": invitation_token(i)}))
        for i in invitations
    ]


def _charters(needs: PersonNeeds, by_id: dict[int, Community], user: User) -> None:
    """The newest charter version of each CoP where the person holds a role other than
    sponsor (those asked to acknowledge it) and has not acknowledged it yet."""
    holding = (
        CommunityRoleAssignment.objects.filter(community_id__in=list(by_id), user=user)
        .active_on(timezone.localdate())
        .exclude(role=CommunityRole.SPONSOR)
        .values("community_id")
    )
    newest = (
        CharterVersion.objects.filter(community_id__in=holding)
        .order_by("community_id", "-number")
        .distinct("community_id")
        .annotate(
            read=Exists(CharterAcknowledgement.objects.filter(version=OuterRef("pk"), user=user))
        )
    )
    for version in newest:
        if not version.read:
            version.community = by_id[version.community_id]
            needs.charters.append(version)


def _surveys(needs: PersonNeeds, ids: list[int], by_id: dict[int, Community], user: User):
    from evaluation.models import Survey, SurveyRespondent

    if not ids:
        return
    today = timezone.localdate()
    surveys = (
        Survey.objects.filter(community_id__in=ids, status=Survey.Status.OPEN)
        .exclude(closes_on__lt=today)
        .exclude(Exists(SurveyRespondent.objects.filter(survey=OuterRef("pk"), user=user)))
        .order_by("closes_on", "id")
    )
    needs.surveys = list(surveys[:LIST_LIMIT])
    for survey in needs.surveys:
        survey.community = by_id[survey.community_id]


def _returned(needs: PersonNeeds, ids: list[int], by_id: dict[int, Community]) -> None:
    """Rows the reviewer returned, grouped by site and period (one grid each)."""
    from measurement.models import Observation

    if not ids:
        return
    groups = list(
        Observation.objects.filter(measure__community_id__in=ids, status="returned")
        .values("measure__community_id", "site_id", "site__name", "measure__frequency", "period")
        .annotate(n=Count("id"))
        .order_by("-period", "site__name", "measure__frequency")
    )
    needs.returned_count = sum(g["n"] for g in groups)
    needs.returned = [
        ReturnedRows(
            community=by_id[g["measure__community_id"]],
            site_id=g["site_id"],
            site_name=g["site__name"],
            frequency=g["measure__frequency"],
            period=g["period"],
            count=g["n"],
        )
        for g in groups[:LIST_LIMIT]
    ]


def _counts(rows, by_id: dict[int, Community]) -> list[CommunityCount]:
    return [CommunityCount(community=by_id[community_id], count=n) for community_id, n in rows if n]


@dataclass
class SentBack:
    """The person's asset or field note a curator sent back with changes requested."""

    community: Community
    item_id: int
    title: str
    is_asset: bool


def _knowledge(needs: PersonNeeds, curating: list[int], by_id: dict[int, Community], user):
    """Items waiting for this curator, and the person's own items sent back: one query
    each (assets and field notes read together)."""
    from knowledge.models import Asset, AssetStatus, FieldNote, NoteStatus

    if curating:
        waiting: dict[int, int] = {}
        submitted_assets = (
            Asset.objects.filter(community_id__in=curating, status=AssetStatus.SUBMITTED)
            .values_list("community_id")
            .annotate(n=Count("id"))
            .values_list("community_id", "n")
            .order_by()
        )
        submitted_notes = (
            FieldNote.objects.filter(community_id__in=curating, status=NoteStatus.SUBMITTED)
            .values_list("community_id")
            .annotate(n=Count("id"))
            .values_list("community_id", "n")
            .order_by()
        )
        for community_id, n in submitted_assets.union(submitted_notes, all=True):
            waiting[community_id] = waiting.get(community_id, 0) + n
        needs.curation = _counts(sorted(waiting.items()), by_id)
    ids = list(by_id)
    assets = (
        Asset.objects.filter(community_id__in=ids, owner=user, status=AssetStatus.CHANGES_REQUESTED)
        .annotate(is_asset=Value(True))
        .values_list("id", "title", "community_id", "is_asset")
        .order_by()
    )
    notes = (
        FieldNote.objects.filter(
            community_id__in=ids, author=user, status=NoteStatus.CHANGES_REQUESTED
        )
        .annotate(is_asset=Value(False))
        .values_list("id", "title", "community_id", "is_asset")
        .order_by()
    )
    needs.changes_requested = [
        SentBack(community=by_id[community_id], item_id=pk, title=title, is_asset=is_asset)
        for pk, title, community_id, is_asset in assets.union(notes, all=True)[:LIST_LIMIT]
    ]


def _progress_ratings(needs: PersonNeeds, by_id: dict[int, Community], user: User) -> None:
    """The site teams the person leads whose month is not self-rated yet (one query)."""
    from evaluation.selectors.progress import due_self_ratings

    needs.progress_ratings = due_self_ratings(user=user, community_ids=list(by_id))[:LIST_LIMIT]
    for enrolment in needs.progress_ratings:
        enrolment.community = by_id[enrolment.community_id]


def person_needs(
    *,
    user: User,
    communities: list[Community],
    perms: dict[int, frozenset[str]],
    organization: Organization | None = None,
    invitations: bool = True,
) -> PersonNeeds:
    """What waits for ``user`` by name in ``communities`` (those they may see, with
    their permissions on each). ``organization`` adds their invitations to other
    organizations (the organization home); ``invitations=False`` leaves out the CoP
    invitations (the CoP overview answers them in its own box)."""
    from evaluation.permissions import EvaluationPermission as E
    from measurement.permissions import MeasurementPermission as M

    needs = PersonNeeds()
    if organization is not None:
        needs.org_invitations = _org_invitations(user, organization)
    # An archived CoP is read-only: nothing there can be acknowledged, answered or fixed.
    by_id = {c.pk: c for c in communities if not c.is_archived}
    if not by_id:
        return needs

    def having(permission: str) -> list[int]:
        return [i for i in by_id if permission in perms.get(i, frozenset())]

    if invitations:
        needs.invitations = list(
            CommunityInvitation.objects.filter(
                community_id__in=list(by_id),
                user=user,
                status=CommunityInvitation.Status.PENDING,
            )
            .select_related("invited_by")
            .order_by("-created_at")[:LIST_LIMIT]
        )
        for invitation in needs.invitations:
            invitation.community = by_id[invitation.community_id]
    _charters(needs, by_id, user)
    _surveys(needs, having(E.RESPOND), by_id, user)
    _returned(needs, having(M.SUBMIT_DATA), by_id)
    managing = having(P.MANAGE_MEMBERS)
    counted = []  # join requests and import requests: one query for both (a union)
    if managing:
        counted.append(
            JoinRequest.objects.filter(community_id__in=managing, status=JoinRequest.Status.PENDING)
            .values_list("community_id")
            .annotate(n=Count("id"), what=Value("join"))
            .values_list("community_id", "n", "what")
            .order_by()
        )
    measures = having(M.MANAGE_MEASURES)
    if measures or managing:
        counted.append(_import_requests(measures, by_id, user))
    if counted:
        rows = counted[0].union(*counted[1:], all=True) if len(counted) > 1 else counted[0]
        found = sorted(rows)
        needs.join_requests = _counts([(c, n) for c, n, what in found if what == "join"], by_id)
        needs.import_requests = _counts([(c, n) for c, n, what in found if what == "import"], by_id)
    _knowledge(needs, having(CURATE), by_id, user)
    _progress_ratings(needs, by_id, user)
    return needs


def _import_requests(managing: list[int], by_id: dict[int, Community], user: User):
    """Open requests for a site or measure a file named and the CoP lacks, counted per
    CoP: measures for those who manage the CoP's measures, sites for organization
    admins. Rows (community id, count, "import") to be united with the join requests."""
    from django.db.models import Q

    from copcore.models import OrganizationMembership
    from copcore.permissions import OrgPermission, OrgRole, org_role_has_perm
    from measurement.models import ImportCodeRequest

    admin_roles = [r for r in OrgRole.values if org_role_has_perm(r, OrgPermission.MANAGE_SITES)]
    site_admin_of = OrganizationMembership.objects.filter(user=user, role__in=admin_roles).values(
        "organization_id"
    )
    wanted = Q(community_id__in=managing, kind=ImportCodeRequest.Kind.MEASURE) | Q(
        community_id__in=list(by_id),
        kind=ImportCodeRequest.Kind.SITE,
        organization_id__in=site_admin_of,
    )
    return (
        ImportCodeRequest.objects.filter(wanted, status=ImportCodeRequest.Status.OPEN)
        .values_list("community_id")
        .annotate(n=Count("id"), what=Value("import"))
        .values_list("community_id", "n", "what")
        .order_by()
    )
