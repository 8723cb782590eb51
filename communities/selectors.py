"""Reads of the communities app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import unread
from communities.charter_first_draft import RoleHolders, first_draft
from communities.design import LEADING_ROLES, DesignFacts
from communities.models import (
    CharterAcknowledgement,
    CharterDraft,
    CharterVersion,
    Community,
    CommunityInvitation,
    CommunityRoleAssignment,
    Escalation,
    ExpectedResult,
    JoinRequest,
    MemberProfile,
    PhaseTransition,
    Post,
    PostAttachment,
    PostFlag,
    Tag,
    Thread,
    Workstream,
)
from copcore.models import Organization, User
from copcore.permissions import (
    ALL_COMMUNITY_PERMISSIONS,
    CommunityRole,
    guardian_codename,
    org_role_community_permissions,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _active_term(prefix: str) -> Q:
    """``RoleAssignmentQuerySet.active_on(today)`` for terms reached through a relation."""
    today = timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": today})
    )


def communities_visible(*, organization: Organization) -> QuerySet[Community]:
    """The organization's communities (every member may see their front pages), each
    annotated with the number of people holding an active role."""
    return (
        Community.objects.filter(organization=organization)
        .annotate(
            people_count=Count(
                "role_assignments__user",
                distinct=True,
                filter=_active_term("role_assignments__"),
            )
        )
        .prefetch_related("expected_results")
        .order_by("name")
    )


def community_get(*, organization: Organization, slug: str) -> Community:
    """One community of the organization, or Http404."""
    community = Community.objects.filter(organization=organization, slug=slug).first()
    if community is None:
        raise Http404
    return community


def role_assignments(*, community: Community) -> QuerySet[CommunityRoleAssignment]:
    """All terms, current and past, newest first: the role history."""
    return (
        CommunityRoleAssignment.objects.filter(community=community)
        .select_related("user", "assigned_by")
        .order_by("-starts_on", "role")
    )


def role_assignment_get(*, community: Community, pk: int) -> CommunityRoleAssignment:
    """One role term of the community, or Http404."""
    found = (
        CommunityRoleAssignment.objects.filter(community=community, pk=pk)
        .select_related("user", "community")
        .first()
    )
    if found is None:
        raise Http404
    return found


def active_role_assignments(*, community: Community) -> QuerySet[CommunityRoleAssignment]:
    return (
        CommunityRoleAssignment.objects.filter(community=community)
        .active_on(timezone.localdate())
        .select_related("user")
        .order_by("role", "user__display_name")
    )


def tags_of_organization(*, organization: Organization) -> QuerySet[Tag]:
    """The organization's whole tag vocabulary."""
    return Tag.objects.filter(organization=organization).order_by("name")


def tags_allowed(*, community: Community) -> QuerySet[Tag]:
    """Tags that may be used in this community (its tagging norms).

    A community whose moderators have chosen no tags allows the organization's whole
    vocabulary. Other apps (knowledge assets) use this to validate tag choices.
    """
    chosen = Tag.objects.filter(organization=community.organization, communities=community)
    if chosen.exists():
        return chosen.order_by("name")
    return tags_of_organization(organization=community.organization)


def community_permissions(
    *, user: User, community: Community, org_role: str | None = None
) -> frozenset[str]:
    """Every community permission the user holds on the community, read in one go
    (two queries) instead of one ``has_perm`` call per button on a page.

    ``org_role`` is the caller's role in the community's organization (the request's
    membership): an org admin may always see the roles and name a convener, even in a
    CoP where they hold no role, so a CoP left without a convener can be recovered."""
    from guardian.core import ObjectPermissionChecker

    if not user.is_authenticated or not user.is_active:
        return frozenset()
    codenames = set(ObjectPermissionChecker(user).get_perms(community))
    held = frozenset(p for p in ALL_COMMUNITY_PERMISSIONS if guardian_codename(p) in codenames)
    return held | org_role_community_permissions(org_role)


def expected_results(*, community: Community) -> QuerySet[ExpectedResult]:
    return ExpectedResult.objects.filter(community=community).order_by("position", "id")


def design_facts(*, community: Community) -> DesignFacts:
    """What the checklist and the implementation gate need, in three small queries."""
    today = timezone.localdate()
    active_roles = frozenset(
        CommunityRoleAssignment.objects.filter(community=community)
        .active_on(today)
        .values_list("role", flat=True)
        .distinct()
    )
    return DesignFacts(
        results_count=ExpectedResult.objects.filter(community=community).count(),
        active_roles=active_roles,
        has_published_charter=CharterVersion.objects.filter(community=community).exists(),
    )


def role_warnings(
    *,
    community: Community,
    assignments: list[CommunityRoleAssignment],
    today: dt.date | None = None,
) -> list[str]:
    """Succession warnings from the full role history (no queries): terms that end within
    30 days with nobody named to hold the role from that day, and leading roles that
    nobody holds today."""
    today = today or timezone.localdate()
    labels = dict(CommunityRole.choices)
    warnings: list[str] = []
    active = [a for a in assignments if a.is_active_on(today)]
    for role in LEADING_ROLES:
        if not any(a.role == role for a in active):
            warnings.append(_("Nobody is the active %(role)s.") % {"role": labels[role].lower()})
    for term in active:
        if term.ends_on is None or (term.ends_on - today).days > 30:
            continue
        if term.role == CommunityRole.MEMBER:
            continue
        successor = any(
            other.pk != term.pk and other.role == term.role and other.is_active_on(term.ends_on)
            for other in assignments
        )
        if not successor:
            warnings.append(
                _("The term of %(person)s as %(role)s ends on %(date)s and no successor is named.")
                % {
                    "person": term.user.display_name,
                    "role": labels[term.role].lower(),
                    "date": term.ends_on.isoformat(),
                }
            )
    return warnings


def transitions(*, community: Community) -> QuerySet[PhaseTransition]:
    return (
        PhaseTransition.objects.filter(community=community)
        .select_related("actor")
        .order_by("created_at", "id")
    )


@dataclass
class Overview:
    """The read-only summary a sponsor (or anyone in the organization) sees."""

    members: int
    workstreams: int
    threads: int
    posts: int
    charter_version: int | None
    open_escalations: int


def community_overview(*, community: Community) -> Overview:
    """Summary figures in one query (subqueries on the community row)."""

    def count_of(model, **filters) -> Subquery:
        return Subquery(
            model.objects.filter(community=OuterRef("pk"), **filters)
            .order_by()
            .values("community")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )

    today = timezone.localdate()
    row = (
        Community.objects.filter(pk=community.pk)
        .annotate(
            members=Subquery(
                CommunityRoleAssignment.objects.filter(community=OuterRef("pk"))
                .active_on(today)
                .exclude(role=CommunityRole.SPONSOR)
                .order_by()
                .values("community")
                .annotate(n=Count("user", distinct=True))
                .values("n")[:1]
            ),
            n_workstreams=count_of(Workstream),
            n_threads=count_of(Thread),
            n_posts=count_of(Post, is_hidden=False),
            n_escalations=count_of(
                Escalation, status__in=[Escalation.Status.OPEN, Escalation.Status.IN_PROGRESS]
            ),
            charter_number=Subquery(
                CharterVersion.objects.filter(community=OuterRef("pk"))
                .order_by("-number")
                .values("number")[:1]
            ),
        )
        .values(
            "members", "n_workstreams", "n_threads", "n_posts", "n_escalations", "charter_number"
        )
        .get()
    )
    return Overview(
        members=row["members"] or 0,
        workstreams=row["n_workstreams"] or 0,
        threads=row["n_threads"] or 0,
        posts=row["n_posts"] or 0,
        charter_version=row["charter_number"],
        open_escalations=row["n_escalations"] or 0,
    )


# --- Joining and the directory -------------------------------------------------------


@dataclass
class DirectoryEntry:
    user: User
    roles: list[str] = field(default_factory=list)
    profile: MemberProfile | None = None


def member_directory(*, community: Community, expertise: str = "") -> list[DirectoryEntry]:
    """People holding an active role, with their roles, site and expertise (two queries).
    ``expertise`` keeps only people whose recorded expertise contains the words."""
    labels = dict(CommunityRole.choices)
    entries: dict[int, DirectoryEntry] = {}
    for term in active_role_assignments(community=community).order_by("user__display_name"):
        entry = entries.setdefault(term.user_id, DirectoryEntry(user=term.user))
        entry.roles.append(str(labels[term.role]))
    profiles = MemberProfile.objects.filter(community=community).select_related("site")
    for profile in profiles:
        if profile.user_id in entries:
            entries[profile.user_id].profile = profile
    result = list(entries.values())
    words = [w.lower() for w in expertise.split() if w.strip()]
    if words:
        result = [
            e
            for e in result
            if e.profile is not None and all(w in e.profile.expertise.lower() for w in words)
        ]
    return result


def user_holds_role(*, community: Community, user: User) -> bool:
    return (
        CommunityRoleAssignment.objects.filter(community=community, user=user)
        .active_on(timezone.localdate())
        .exists()
    )


def join_requests(*, community: Community, status: str | None = None) -> QuerySet[JoinRequest]:
    requests = JoinRequest.objects.filter(community=community).select_related(
        "user", "site", "decided_by"
    )
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at")


def join_request_get(*, community: Community, pk: int) -> JoinRequest:
    found = join_requests(community=community).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def own_join_request(*, community: Community, user: User) -> JoinRequest | None:
    return (
        JoinRequest.objects.filter(community=community, user=user).order_by("-created_at").first()
    )


def invitations(*, community: Community) -> QuerySet[CommunityInvitation]:
    return (
        CommunityInvitation.objects.filter(community=community)
        .select_related("user", "invited_by")
        .order_by("-created_at")
    )


def pending_invitation_for(*, community: Community, user: User) -> CommunityInvitation | None:
    return CommunityInvitation.objects.filter(
        community=community, user=user, status=CommunityInvitation.Status.PENDING
    ).first()


def invitation_get(*, community: Community, pk: int) -> CommunityInvitation:
    found = invitations(community=community).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- Charter -------------------------------------------------------------------------


def charter_draft(*, community: Community) -> CharterDraft | None:
    return CharterDraft.objects.filter(community=community).first()


def charter_first_draft(*, community: Community) -> dict[str, str]:
    """The charter sections written from the design (``charter_first_draft``), from the
    CoP's expected results and the people holding a role today (two queries)."""
    results = [result.description for result in expected_results(community=community)]
    by_role: dict[str, RoleHolders] = {}
    for assignment in active_role_assignments(community=community):
        label = str(assignment.get_role_display())
        holders = by_role.setdefault(assignment.role, RoleHolders(role_label=label, names=[]))
        holders.names.append(assignment.user.display_name or assignment.user.email)
    return first_draft(community=community, expected_results=results, roles=list(by_role.values()))


def charter_versions(*, community: Community) -> QuerySet[CharterVersion]:
    return (
        CharterVersion.objects.filter(community=community)
        .select_related("published_by")
        .annotate(ack_count=Count("acknowledgements"))
        .order_by("-number")
    )


def charter_version_get(*, community: Community, number: int) -> CharterVersion:
    version = (
        CharterVersion.objects.filter(community=community, number=number)
        .select_related("published_by", "community")
        .first()
    )
    if version is None:
        raise Http404
    return version


def charter_current(*, community: Community) -> CharterVersion | None:
    return (
        CharterVersion.objects.filter(community=community)
        .select_related("published_by")
        .order_by("-number")
        .first()
    )


def charter_acknowledgements(*, version: CharterVersion) -> QuerySet[CharterAcknowledgement]:
    return (
        CharterAcknowledgement.objects.filter(version=version)
        .select_related("user")
        .order_by("acknowledged_at")
    )


def charter_acknowledgement_status(
    *, version: CharterVersion
) -> tuple[list[CharterAcknowledgement], list[User]]:
    """(who acknowledged, who holding a role other than sponsor has not yet)."""
    acks = list(charter_acknowledgements(version=version))
    done = {a.user_id for a in acks}
    holders = {
        term.user_id: term.user
        for term in active_role_assignments(community=version.community).exclude(
            role=CommunityRole.SPONSOR
        )
    }
    pending = sorted(
        (u for pk, u in holders.items() if pk not in done), key=lambda u: u.display_name
    )
    return acks, pending


def has_acknowledged(*, version: CharterVersion, user: User) -> bool:
    return CharterAcknowledgement.objects.filter(version=version, user=user).exists()


# --- Workstreams and discussions -----------------------------------------------------


def workstreams(*, community: Community, user: User | None = None) -> QuerySet[Workstream]:
    """Workstreams with their thread counts; given ``user``, also their unread counts
    and the person's follow/mute choice (communities.unread)."""
    found = (
        Workstream.objects.filter(community=community)
        .annotate(thread_count=Count("threads"))
        .order_by("name")
    )
    return found if user is None else unread.workstreams_with_place(found, user=user)


def workstream_get(*, community: Community, pk: int) -> Workstream:
    found = Workstream.objects.filter(community=community, pk=pk).first()
    if found is None:
        raise Http404
    return found


class ThreadCounts(TypedDict):
    """What the thread selectors annotate on each thread."""

    post_count: int


def threads(
    *,
    community: Community,
    workstream: Workstream | None = None,
    tag: str = "",
    user: User | None = None,
) -> QuerySet[Thread]:
    """Threads, pinned first then by latest activity, with their post counts and tags;
    given ``user``, also their unread counts and follow/mute state."""
    found = Thread.objects.filter(community=community)
    if workstream is not None:
        found = found.filter(workstream=workstream)
    if tag:
        found = found.filter(tags__slug=tag)
    found = (
        found.select_related("author", "workstream")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .annotate(post_count=Count("posts", distinct=True))
        .order_by("-is_pinned", "-last_activity_at", "-id")
    )
    return found if user is None else unread.with_place(found, user=user)


def thread_get(*, community: Community, pk: int) -> WithAnnotations[Thread, ThreadCounts]:
    found = (
        Thread.objects.filter(community=community, pk=pk)
        .select_related("workstream", "author", "closed_by", "community", "accepted_answer__author")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .annotate(post_count=Count("posts"))
        .first()
    )
    if found is None:
        raise Http404
    return found


def posts(*, thread: Thread, user: User | None = None) -> QuerySet[Post]:
    """The posts of a thread in order, each marked if it has been edited; given
    ``user``, with helpful counts and whether that person marked each."""
    found = (
        Post.objects.filter(thread=thread)
        .select_related("author", "parent__author")
        .prefetch_related(Prefetch("attachments", queryset=PostAttachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )
    return found if user is None else unread.posts_with_helpful(found, user=user)


def attachment_get(*, community: Community, post_id: int, pk: int) -> PostAttachment:
    found = (
        PostAttachment.objects.filter(community=community, post_id=post_id, pk=pk)
        .select_related("post")
        .first()
    )
    if found is None:
        raise Http404
    return found


def post_get(*, community: Community, pk: int) -> Post:
    found = (
        Post.objects.filter(community=community, pk=pk)
        .select_related("author", "thread", "thread__community", "community")
        .first()
    )
    if found is None:
        raise Http404
    return found


def post_revisions(*, post: Post):
    """Earlier texts of a post, newest first (simple-history)."""
    return post.history.select_related("history_user").order_by("-history_date")


def moderation_queue(*, community: Community) -> QuerySet[PostFlag]:
    return (
        PostFlag.objects.filter(community=community, status=PostFlag.Status.OPEN)
        .select_related("post__author", "post__thread", "flagged_by")
        .order_by("created_at")
    )


def flag_get(*, community: Community, pk: int) -> PostFlag:
    found = (
        PostFlag.objects.filter(community=community, pk=pk)
        .select_related("post", "post__thread", "community")
        .first()
    )
    if found is None:
        raise Http404
    return found


def escalations(*, community: Community) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(community=community)
        .select_related("owner", "created_by")
        .order_by("-created_at")
    )


def escalation_get(*, community: Community, pk: int) -> Escalation:
    found = escalations(community=community).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def people_of_organization(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization).order_by("display_name")
