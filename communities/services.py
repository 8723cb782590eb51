"""Every write of the communities app: communities, role terms and their permission groups."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from guardian.models import GroupObjectPermission

from communities.design import STEP_FIELDS, STEP_KEYS, implementation_gate_missing
from communities.models import (
    CHARTER_SECTIONS,
    CallType,
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
    Mention,
    Objective,
    Phase,
    PhaseTransition,
    Post,
    PostAttachment,
    PostFlag,
    Rhythm,
    Tag,
    Thread,
    Workstream,
)
from communities.rendering import mentioned_handles, render_markdown
from communities.selectors import design_facts, tags_allowed
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import (
    ALL_COMMUNITY_PERMISSIONS,
    COMMUNITY_ROLE_PERMISSIONS,
    CommunityRole,
    guardian_codename,
)
from copcore.services import audit_record
from knowledge.uploads import storage_name, validate_upload


def ensure_writable(community: Community) -> None:
    """Archived communities are read-only: every write refuses with a clear message."""
    if community.phase == Phase.ARCHIVED:
        raise ValidationError(
            _("This community is archived and read-only. A convener may reopen it first.")
        )


def role_group_name(community: Community, role: str) -> str:
    return f"community:{community.pk}:{role}"


def permissions_sync() -> dict[str, Permission]:
    """Make sure a Permission row exists on Community for every community permission."""
    content_type = ContentType.objects.get_for_model(Community)
    existing = {p.codename: p for p in Permission.objects.filter(content_type=content_type)}
    result: dict[str, Permission] = {}
    for permission in sorted(ALL_COMMUNITY_PERMISSIONS):
        codename = guardian_codename(permission)
        if codename not in existing:
            existing[codename] = Permission.objects.create(
                content_type=content_type, codename=codename, name=permission
            )
        result[permission] = existing[codename]
    return result


def community_roles_sync(
    *,
    community: Community,
    permissions: dict[str, Permission] | None = None,
    today: dt.date | None = None,
) -> None:
    """Make the community's role groups, their object permissions and their members
    match the role map and the active role terms. Idempotent."""
    permissions = permissions or permissions_sync()
    today = today or timezone.localdate()
    content_type = ContentType.objects.get_for_model(Community)
    active = (
        CommunityRoleAssignment.objects.with_scopes_disabled()
        .filter(community=community)
        .active_on(today)
    )
    holders: dict[str, set[int]] = {}
    for role, user_id in active.values_list("role", "user_id"):
        holders.setdefault(role, set()).add(user_id)
    for role in CommunityRole.values:
        group, _created = Group.objects.get_or_create(name=role_group_name(community, role))
        wanted = {permissions[p].pk for p in COMMUNITY_ROLE_PERMISSIONS[role]}
        granted = GroupObjectPermission.objects.filter(
            group=group, content_type=content_type, object_pk=str(community.pk)
        )
        granted.exclude(permission_id__in=wanted).delete()
        have = set(granted.values_list("permission_id", flat=True))
        GroupObjectPermission.objects.bulk_create(
            [
                GroupObjectPermission(
                    group=group,
                    permission_id=pid,
                    content_type=content_type,
                    object_pk=str(community.pk),
                )
                for pid in wanted - have
            ]
        )
        group.user_set.set(holders.get(role, set()))


def roles_sync_all(*, today: dt.date | None = None) -> int:
    """Sync every community of every organization (``manage.py sync_roles``, daily task)."""
    permissions = permissions_sync()
    with scopes_disabled():
        communities = list(Community.objects.all())
        for community in communities:
            community_roles_sync(community=community, permissions=permissions, today=today)
    return len(communities)


RESERVED_SLUGS = {"new"}  # "communities/new/" is the create page


@transaction.atomic
def community_create(
    *, actor: User, organization: Organization, name: str, slug: str, convener: User | None = None
) -> Community:
    """Create a community; its creator (or the named convener) becomes convener."""
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This short name is reserved; please choose another.")})
    if Community.objects.filter(organization=organization, slug=slug).exists():
        raise ValidationError({"slug": _("A community with this slug already exists.")})
    community = Community.objects.create(organization=organization, name=name, slug=slug)
    audit_record(organization=organization, actor=actor, verb="community.created", target=community)
    role_assign(
        actor=actor,
        community=community,
        user=convener or actor,
        role=CommunityRole.CONVENER,
    )
    return community


@transaction.atomic
def role_assign(
    *,
    actor: User,
    community: Community,
    user: User,
    role: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> CommunityRoleAssignment:
    """Give a person a role in a community for a term."""
    ensure_writable(community)
    if role not in CommunityRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    is_member = OrganizationMembership.objects.filter(
        organization=community.organization, user=user
    ).exists()
    if not is_member:
        raise ValidationError({"user": _("Only members of the organization can hold a role.")})
    assignment = CommunityRoleAssignment.objects.create(
        organization=community.organization,
        community=community,
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        assigned_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.role_assigned",
        target=community,
        data={
            "user": user.email,
            "role": role,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    community_roles_sync(community=community)
    return assignment


@transaction.atomic
def role_end(
    *, actor: User, assignment: CommunityRoleAssignment, ends_on: dt.date | None = None
) -> CommunityRoleAssignment:
    """End a role term (today unless a date is given); the row stays as history."""
    ensure_writable(assignment.community)
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    assignment.ends_on = ends_on
    assignment.save(update_fields=["ends_on"])
    audit_record(
        organization=assignment.organization,
        actor=actor,
        verb="community.role_ended",
        target=assignment.community,
        data={
            "user": assignment.user.email,
            "role": assignment.role,
            "ends_on": ends_on.isoformat(),
        },
    )
    community_roles_sync(community=assignment.community)
    return assignment


@transaction.atomic
def role_change(
    *, actor: User, assignment: CommunityRoleAssignment, role: str, on: dt.date | None = None
) -> CommunityRoleAssignment:
    """Change a person's role: the current term ends on ``on`` (today) and a new term in
    the new role starts that day, so the history shows both."""
    ensure_writable(assignment.community)
    on = on or timezone.localdate()
    if role == assignment.role:
        raise ValidationError({"role": _("The person already holds this role.")})
    if on < assignment.starts_on:
        raise ValidationError({"on": _("The change cannot happen before the term started.")})
    new = role_assign(
        actor=actor,
        community=assignment.community,
        user=assignment.user,
        role=role,
        starts_on=on,
        ends_on=assignment.ends_on if assignment.ends_on and assignment.ends_on > on else None,
    )
    role_end(actor=actor, assignment=assignment, ends_on=on)
    return new


# --- Design wizard -------------------------------------------------------------------


def _mark_step_saved(community: Community, step: str) -> None:
    if step not in community.design_steps_saved:
        community.design_steps_saved = [*community.design_steps_saved, step]


@transaction.atomic
def community_design_save(
    *, actor: User, community: Community, step: str, values: dict
) -> Community:
    """Save one wizard step as a draft: only that step's fields are written."""
    ensure_writable(community)
    if step not in STEP_KEYS:
        raise ValidationError(_("Unknown design step."))
    fields = STEP_FIELDS.get(step, [])
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError(_("These fields do not belong to this step: %s") % sorted(unknown))
    if "objectives" in values:
        bad = set(values["objectives"]) - set(Objective.values)
        if bad:
            raise ValidationError({"objectives": _("Unknown objective.")})
        values["objectives"] = [o for o in Objective.values if o in values["objectives"]]
    if "rhythm" in values:
        if set(values["rhythm"]) - set(Rhythm.values):
            raise ValidationError({"rhythm": _("Unknown rhythm.")})
        values["rhythm"] = [r for r in Rhythm.values if r in values["rhythm"]]
    if "call_type" in values and values["call_type"] not in CallType.values:
        raise ValidationError({"call_type": _("Choose a public or a restricted call.")})
    if "name" in values and not str(values["name"]).strip():
        raise ValidationError({"name": _("A community needs a name.")})
    start = values.get("starts_on", community.starts_on)
    end = values.get("planned_end_on", community.planned_end_on)
    if start and end and end < start:
        raise ValidationError({"planned_end_on": _("The planned end must be after the start.")})
    for name, value in values.items():
        setattr(community, name, value)
    _mark_step_saved(community, step)
    community.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.design_saved",
        target=community,
        data={"step": step, "fields": sorted(values)},
    )
    return community


@transaction.atomic
def design_step_mark_saved(*, actor: User, community: Community, step: str) -> Community:
    """Record that a step without its own fields (members and roles) was visited and saved."""
    ensure_writable(community)
    _mark_step_saved(community, step)
    community.save(update_fields=["design_steps_saved"])
    return community


@transaction.atomic
def expected_results_set(
    *, actor: User, community: Community, results: list[tuple[str, str]]
) -> list[ExpectedResult]:
    """Replace the expected results with one to three (description, how it is checked)."""
    ensure_writable(community)
    results = [(d.strip(), h.strip()) for d, h in results if d.strip()]
    if not 1 <= len(results) <= 3:
        raise ValidationError(_("Give one to three expected results."))
    ExpectedResult.objects.filter(community=community).delete()
    created = ExpectedResult.objects.bulk_create(
        [
            ExpectedResult(
                organization=community.organization,
                community=community,
                position=index,
                description=description,
                how_checked=how_checked,
            )
            for index, (description, how_checked) in enumerate(results, start=1)
        ]
    )
    _mark_step_saved(community, "results")
    community.save(update_fields=["design_steps_saved"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.results_set",
        target=community,
        data={"count": len(created)},
    )
    return created


# --- Phases --------------------------------------------------------------------------

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Phase.DESIGN: {Phase.IMPLEMENTATION},
    Phase.IMPLEMENTATION: {Phase.CONCLUSION},
    Phase.CONCLUSION: {Phase.ARCHIVED, Phase.IMPLEMENTATION},
    Phase.ARCHIVED: {Phase.IMPLEMENTATION},
}
CONCLUSION_REASONS = {
    PhaseTransition.Reason.WORK_DONE,
    PhaseTransition.Reason.MEMBERS_MOVED_ON,
    PhaseTransition.Reason.PRIORITIES_CHANGED,
    PhaseTransition.Reason.OTHER,
}


@transaction.atomic
def community_phase_change(
    *, actor: User, community: Community, to_phase: str, reason: str = "", note: str = ""
) -> PhaseTransition:
    """Move a CoP to another phase if the gate allows it; audited and on the timeline.

    Design -> implementation needs a complete design; -> conclusion needs a reason;
    conclusion -> archived makes it read-only; conclusion or archived -> implementation
    is a reopening and needs a note saying why.
    """
    community = Community.objects.select_for_update().get(pk=community.pk)
    labels = dict(Phase.choices)
    if to_phase not in Phase.values:
        raise ValidationError({"to_phase": _("Unknown phase.")})
    if to_phase not in ALLOWED_TRANSITIONS[community.phase]:
        raise ValidationError(
            {
                "to_phase": _("A community cannot move from %(from)s to %(to)s.")
                % {"from": labels[community.phase], "to": labels[to_phase]}
            }
        )
    reopening = to_phase == Phase.IMPLEMENTATION and community.phase in (
        Phase.CONCLUSION,
        Phase.ARCHIVED,
    )
    if community.phase == Phase.DESIGN:
        missing = implementation_gate_missing(community, design_facts(community=community))
        if missing:
            raise ValidationError(
                _("The design is not complete. Missing: %(items)s") % {"items": " ".join(missing)},
                code="gate",
                params={"missing": missing},
            )
    if to_phase == Phase.CONCLUSION and reason not in CONCLUSION_REASONS:
        raise ValidationError({"reason": _("Say why the community is concluding.")})
    if reopening:
        if not note.strip():
            raise ValidationError({"note": _("Say why the community is reopened.")})
        reason = PhaseTransition.Reason.REOPENED
    transition = PhaseTransition.objects.create(
        organization=community.organization,
        community=community,
        from_phase=community.phase,
        to_phase=to_phase,
        reason=reason,
        note=note.strip(),
        actor=actor,
    )
    community.phase = to_phase
    community.save(update_fields=["phase"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.phase_changed",
        target=community,
        data={"from": transition.from_phase, "to": to_phase, "reason": reason, "note": note},
    )
    return transition


# --- Tags ----------------------------------------------------------------------------


@transaction.atomic
def tag_create(*, actor: User, organization: Organization, name: str, description: str = "") -> Tag:
    """Add a word to the organization's tag vocabulary (or return the existing one)."""
    name = name.strip()
    slug = slugify(name)[:60]
    if not slug:
        raise ValidationError({"name": _("A tag needs letters or numbers.")})
    tag, created = Tag.objects.get_or_create(
        organization=organization, slug=slug, defaults={"name": name, "description": description}
    )
    if created:
        audit_record(
            organization=organization,
            actor=actor,
            verb="community.tag_created",
            target=tag,
            data={"name": name},
        )
    return tag


@transaction.atomic
def community_tags_set(*, actor: User, community: Community, tags: list[Tag]) -> Community:
    """Set the tagging norms: the tags members may use in this CoP."""
    ensure_writable(community)
    if any(tag.organization_id != community.organization_id for tag in tags):
        raise ValidationError({"tags": _("Unknown tag.")})
    community.allowed_tags.set(tags)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.tags_set",
        target=community,
        data={"tags": sorted(tag.slug for tag in tags)},
    )
    return community


# --- Joining -------------------------------------------------------------------------


def _check_call_open(community: Community) -> None:
    if not community.call_type:
        raise ValidationError(
            _("The call for members is not open yet: the conveners have not chosen it.")
        )


def _holds_any_role(community: Community, user: User) -> bool:
    return (
        CommunityRoleAssignment.objects.filter(community=community, user=user)
        .active_on(timezone.localdate())
        .exists()
    )


def _profile_update(
    community: Community, user: User, *, job_title: str = "", site=None, expertise: str = ""
) -> MemberProfile:
    profile, _created = MemberProfile.objects.get_or_create(
        organization=community.organization, community=community, user=user
    )
    if job_title:
        profile.job_title = job_title
    if site is not None:
        profile.site = site
    if expertise:
        profile.expertise = expertise
    profile.save()
    return profile


def _check_site(community: Community, site) -> None:
    if site is not None and site.organization_id != community.organization_id:
        raise ValidationError({"site": _("Unknown site.")})


@transaction.atomic
def community_join(*, actor: User, community: Community) -> CommunityRoleAssignment:
    """Join a public CoP as a member (participant)."""
    ensure_writable(community)
    _check_call_open(community)
    if community.call_type != CallType.PUBLIC:
        raise ValidationError(_("This community is restricted: ask to join instead."))
    if _holds_any_role(community, actor):
        raise ValidationError(_("You are already part of this community."))
    assignment = role_assign(
        actor=actor, community=community, user=actor, role=CommunityRole.MEMBER
    )
    _profile_update(community, actor)
    return assignment


@transaction.atomic
def join_request_create(
    *,
    actor: User,
    community: Community,
    job_title: str,
    motivation: str,
    expertise: str = "",
    site=None,
) -> JoinRequest:
    """Ask to join a restricted CoP with the short registration form."""
    ensure_writable(community)
    _check_call_open(community)
    if community.call_type != CallType.RESTRICTED:
        raise ValidationError(_("This community is open: join it directly."))
    if _holds_any_role(community, actor):
        raise ValidationError(_("You are already part of this community."))
    if JoinRequest.objects.filter(
        community=community, user=actor, status=JoinRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("You have already asked to join; please wait for an answer."))
    _check_site(community, site)
    if not job_title.strip() or not motivation.strip():
        raise ValidationError(_("Say what your role is and why you want to join."))
    join_request = JoinRequest.objects.create(
        organization=community.organization,
        community=community,
        user=actor,
        job_title=job_title.strip(),
        site=site,
        expertise=expertise.strip(),
        motivation=motivation.strip(),
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.join_requested",
        target=community,
        data={"join_request": join_request.pk},
    )
    return join_request


@transaction.atomic
def join_request_decide(
    *, actor: User, join_request: JoinRequest, approve: bool, reason: str = ""
) -> JoinRequest:
    """Approve (the person becomes a member, their form fills the directory) or decline
    with a reason."""
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    community = join_request.community
    ensure_writable(community)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for declining.")})
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.decision_reason = reason.strip()
    join_request.save()
    if approve:
        if not _holds_any_role(community, join_request.user):
            role_assign(
                actor=actor, community=community, user=join_request.user, role=CommunityRole.MEMBER
            )
        _profile_update(
            community,
            join_request.user,
            job_title=join_request.job_title,
            site=join_request.site,
            expertise=join_request.expertise,
        )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.join_approved" if approve else "community.join_declined",
        target=community,
        data={"join_request": join_request.pk, "user": join_request.user.email},
    )
    return join_request


@transaction.atomic
def community_invitation_create(
    *, actor: User, community: Community, user: User, message: str = ""
) -> CommunityInvitation:
    """Invite a member of the organization to the CoP."""
    ensure_writable(community)
    if not OrganizationMembership.objects.filter(
        organization=community.organization, user=user
    ).exists():
        raise ValidationError({"user": _("Only members of the organization can be invited.")})
    if _holds_any_role(community, user):
        raise ValidationError({"user": _("This person is already part of the community.")})
    if CommunityInvitation.objects.filter(
        community=community, user=user, status=CommunityInvitation.Status.PENDING
    ).exists():
        raise ValidationError({"user": _("This person has already been invited.")})
    invitation = CommunityInvitation.objects.create(
        organization=community.organization,
        community=community,
        user=user,
        message=message.strip(),
        invited_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.invitation_created",
        target=community,
        data={"user": user.email},
    )
    return invitation


@transaction.atomic
def community_invitation_respond(
    *, actor: User, invitation: CommunityInvitation, accept: bool
) -> CommunityInvitation:
    """The invited person accepts (becomes a member) or declines."""
    invitation = CommunityInvitation.objects.select_for_update().get(pk=invitation.pk)
    ensure_writable(invitation.community)
    if invitation.user_id != actor.pk:
        raise ValidationError(_("This invitation is for someone else."))
    if invitation.status != CommunityInvitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered."))
    invitation.status = (
        CommunityInvitation.Status.ACCEPTED if accept else CommunityInvitation.Status.DECLINED
    )
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    if accept and not _holds_any_role(invitation.community, actor):
        role_assign(
            actor=actor, community=invitation.community, user=actor, role=CommunityRole.MEMBER
        )
        _profile_update(invitation.community, actor)
    audit_record(
        organization=invitation.organization,
        actor=actor,
        verb="community.invitation_accepted" if accept else "community.invitation_declined",
        target=invitation.community,
        data={"user": actor.email},
    )
    return invitation


@transaction.atomic
def member_profile_update(
    *,
    actor: User,
    community: Community,
    user: User,
    job_title: str,
    expertise: str,
    site=None,
    planning_group: bool | None = None,
) -> MemberProfile:
    """Update a directory entry; only callers with manage_members may set planning_group
    (the view decides who may call with it)."""
    ensure_writable(community)
    _check_site(community, site)
    profile, _created = MemberProfile.objects.get_or_create(
        organization=community.organization, community=community, user=user
    )
    profile.job_title = job_title.strip()
    profile.expertise = expertise.strip()
    profile.site = site
    if planning_group is not None:
        profile.planning_group = planning_group
    profile.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.profile_updated",
        target=community,
        data={"user": user.email, "planning_group": profile.planning_group},
    )
    return profile


# --- Charter -------------------------------------------------------------------------

SECTION_KEYS = [key for key, _label in CHARTER_SECTIONS]


def charter_draft_get_or_create(*, community: Community) -> CharterDraft:
    draft, _created = CharterDraft.objects.get_or_create(
        community=community, defaults={"organization": community.organization}
    )
    return draft


@transaction.atomic
def charter_draft_update(*, actor: User, community: Community, sections: dict) -> CharterDraft:
    """Edit the draft charter freely (history is kept by simple-history)."""
    ensure_writable(community)
    unknown = set(sections) - set(SECTION_KEYS)
    if unknown:
        raise ValidationError(_("Unknown charter section."))
    draft = charter_draft_get_or_create(community=community)
    for key, text in sections.items():
        setattr(draft, key, (text or "").strip())
    draft.updated_by = actor
    draft.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.charter_draft_saved",
        target=community,
        data={"sections": sorted(sections)},
    )
    return draft


@transaction.atomic
def charter_publish(*, actor: User, community: Community, change_note: str = "") -> CharterVersion:
    """Publish the draft as the next immutable numbered version."""
    ensure_writable(community)
    Community.objects.select_for_update().filter(pk=community.pk).first()
    draft = charter_draft_get_or_create(community=community)
    if not draft.purpose.strip():
        raise ValidationError(_("A charter needs at least its purpose and shared outcome."))
    latest = CharterVersion.objects.filter(community=community).order_by("-number").first()
    if latest is not None and all(
        getattr(latest, key) == getattr(draft, key) for key in SECTION_KEYS
    ):
        raise ValidationError(_("The draft is the same as version %(n)s.") % {"n": latest.number})
    version = CharterVersion.objects.create(
        organization=community.organization,
        community=community,
        number=(latest.number + 1) if latest else 1,
        change_note=change_note.strip(),
        published_by=actor,
        **{key: getattr(draft, key) for key in SECTION_KEYS},
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.charter_published",
        target=community,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def charter_acknowledge(*, actor: User, version: CharterVersion) -> CharterAcknowledgement:
    """A member acknowledges the current charter version (idempotent)."""
    ensure_writable(version.community)
    latest = CharterVersion.objects.filter(community=version.community).order_by("-number").first()
    if latest is None or latest.pk != version.pk:
        raise ValidationError(_("Only the current version of the charter can be acknowledged."))
    ack, created = CharterAcknowledgement.objects.get_or_create(
        organization=version.organization, version=version, user=actor
    )
    if created:
        audit_record(
            organization=version.organization,
            actor=actor,
            verb="community.charter_acknowledged",
            target=version.community,
            data={"version": version.number},
        )
    return ack


# --- Workstreams and discussions -----------------------------------------------------


@transaction.atomic
def workstream_create(
    *, actor: User, community: Community, name: str, description: str = ""
) -> Workstream:
    ensure_writable(community)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A workstream needs a name.")})
    if Workstream.objects.filter(community=community, name__iexact=name).exists():
        raise ValidationError({"name": _("A workstream with this name already exists.")})
    workstream = Workstream.objects.create(
        organization=community.organization,
        community=community,
        name=name,
        description=description.strip(),
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.workstream_created",
        target=workstream,
    )
    return workstream


def _check_tags(community: Community, tags: list[Tag]) -> None:
    allowed = set(tags_allowed(community=community).values_list("pk", flat=True))
    if any(tag.pk not in allowed for tag in tags):
        raise ValidationError({"tags": _("Use only the tags this community allows.")})


def _record_mentions(post: Post) -> list[Mention]:
    """Find @mentions of people who hold a role in the CoP and record them; emails go
    out after commit."""
    names, emails = mentioned_handles(post.body)
    if not names and not emails:
        return []
    holder_ids = (
        CommunityRoleAssignment.objects.filter(community=post.community)
        .active_on(timezone.localdate())
        .values_list("user_id", flat=True)
    )
    candidates = User.objects.filter(pk__in=holder_ids).exclude(pk=post.author_id)
    mentioned = [
        user
        for user in candidates
        if user.display_name.strip().lower() in names or user.email.lower() in emails
    ]
    already = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
    created = Mention.objects.bulk_create(
        [
            Mention(organization=post.organization, post=post, user=user)
            for user in mentioned
            if user.pk not in already
        ]
    )
    if created:
        from communities.tasks import send_mention_email

        ids = [m.pk for m in created]
        organization_id = post.organization_id
        transaction.on_commit(lambda: [send_mention_email.delay(organization_id, pk) for pk in ids])
    return created


MAX_ATTACHMENTS_PER_POST = 5


def _check_uploads(uploads) -> list:
    """Check every upload against the platform's rules before anything is stored."""
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_ATTACHMENTS_PER_POST:
        raise ValidationError(
            {
                "attachment": _("Attach at most %(n)s files to one post.")
                % {"n": MAX_ATTACHMENTS_PER_POST}
            }
        )
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, validate_upload(upload)))
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from error
    return checked


def _store_attachments(post: Post, actor: User, checked: list) -> list[PostAttachment]:
    """Store checked uploads under random names and record them; if recording fails,
    the stored files are removed again (as knowledge does for its files)."""
    names: list[str] = []
    try:
        rows = []
        for upload, check in checked:
            name = default_storage.save(
                storage_name(check, folder=f"communities/{post.organization_id}"), upload
            )
            names.append(name)
            rows.append(
                PostAttachment(
                    organization=post.organization,
                    community=post.community,
                    post=post,
                    file=name,
                    original_name=check.original_name,
                    content_type=check.content_type,
                    size=check.size,
                    sha256=check.sha256,
                    uploaded_by=actor,
                )
            )
        return PostAttachment.objects.bulk_create(rows)
    except Exception:
        for name in names:
            default_storage.delete(name)
        raise


def _check_thread_open_for(actor: User, thread: Thread, *, moderator: bool) -> None:
    ensure_writable(thread.community)
    if thread.is_closed:
        raise ValidationError(_("This discussion is closed."))
    if thread.is_locked and not moderator:
        raise ValidationError(_("This discussion is locked: only moderators can post."))


@transaction.atomic
def thread_create(
    *,
    actor: User,
    workstream: Workstream,
    title: str,
    body: str,
    tags: list[Tag] | None = None,
    attachments: list | None = None,
) -> Thread:
    """Start a discussion: the thread and its first post (with optional attachments)."""
    community = workstream.community
    ensure_writable(community)
    tags = tags or []
    _check_tags(community, tags)
    checked = _check_uploads(attachments)
    if not title.strip():
        raise ValidationError({"title": _("A discussion needs a title.")})
    if not body.strip():
        raise ValidationError({"body": _("Write the first message.")})
    thread = Thread.objects.create(
        organization=community.organization,
        community=community,
        workstream=workstream,
        title=title.strip(),
        author=actor,
    )
    thread.tags.set(tags)
    post = Post.objects.create(
        organization=community.organization,
        community=community,
        thread=thread,
        author=actor,
        body=body,
        body_html=render_markdown(body),
    )
    _store_attachments(post, actor, checked)
    _record_mentions(post)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.thread_created",
        target=thread,
    )
    return thread


@transaction.atomic
def post_create(
    *,
    actor: User,
    thread: Thread,
    body: str,
    parent: Post | None = None,
    moderator: bool = False,
    attachments: list | None = None,
) -> Post:
    """Reply in a discussion (to the thread, or to one post with ``parent``), with
    optional attachments checked by the platform's upload rules."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check_thread_open_for(actor, thread, moderator=moderator)
    if parent is not None and parent.thread_id != thread.pk:
        raise ValidationError({"parent": _("The reply must be in the same discussion.")})
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    checked = _check_uploads(attachments)
    post = Post.objects.create(
        organization=thread.organization,
        community=thread.community,
        thread=thread,
        parent=parent,
        author=actor,
        body=body,
        body_html=render_markdown(body),
    )
    thread.last_activity_at = post.created_at
    thread.save(update_fields=["last_activity_at"])
    _store_attachments(post, actor, checked)
    _record_mentions(post)
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.post_created",
        target=thread,
        data={"post": post.pk},
    )
    return post


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str) -> Post:
    """The author edits their post; the previous text stays in the post's history."""
    ensure_writable(post.community)
    if post.author_id != actor.pk:
        raise PermissionDenied
    if post.thread.is_closed:
        raise ValidationError(_("This discussion is closed."))
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    post.body = body
    post.body_html = render_markdown(body)
    post.edited_at = timezone.now()
    post.save()
    _record_mentions(post)
    audit_record(
        organization=post.organization,
        actor=actor,
        verb="community.post_edited",
        target=post.thread,
        data={"post": post.pk},
    )
    return post


def _thread_moderation(actor: User, thread: Thread, verb: str, **changes) -> Thread:
    ensure_writable(thread.community)
    for name, value in changes.items():
        setattr(thread, name, value)
    thread.save(update_fields=list(changes))
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb=verb,
        target=thread,
        data={k: str(v) for k, v in changes.items() if k != "closing_summary"},
    )
    return thread


@transaction.atomic
def thread_pin(*, actor: User, thread: Thread, pinned: bool) -> Thread:
    return _thread_moderation(
        actor,
        thread,
        "community.thread_pinned" if pinned else "community.thread_unpinned",
        is_pinned=pinned,
    )


@transaction.atomic
def thread_lock(*, actor: User, thread: Thread, locked: bool) -> Thread:
    return _thread_moderation(
        actor,
        thread,
        "community.thread_locked" if locked else "community.thread_unlocked",
        is_locked=locked,
    )


@transaction.atomic
def thread_close(*, actor: User, thread: Thread, summary: str) -> Thread:
    """Close a discussion with the articulated summary the moderator writes."""
    if thread.is_closed:
        raise ValidationError(_("This discussion is already closed."))
    if not summary.strip():
        raise ValidationError({"summary": _("Write a closing summary.")})
    return _thread_moderation(
        actor,
        thread,
        "community.thread_closed",
        status=Thread.Status.CLOSED,
        closing_summary=summary.strip(),
        closed_by=actor,
        closed_at=timezone.now(),
    )


@transaction.atomic
def thread_reopen(*, actor: User, thread: Thread) -> Thread:
    """Reopen a closed discussion; its closing summary is kept in the audit log."""
    if not thread.is_closed:
        raise ValidationError(_("This discussion is open."))
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.thread_summary_archived",
        target=thread,
        data={"closing_summary": thread.closing_summary},
    )
    return _thread_moderation(
        actor,
        thread,
        "community.thread_reopened",
        status=Thread.Status.OPEN,
        closing_summary="",
        closed_by=None,
        closed_at=None,
    )


@transaction.atomic
def thread_tags_set(*, actor: User, thread: Thread, tags: list[Tag]) -> Thread:
    ensure_writable(thread.community)
    _check_tags(thread.community, tags)
    thread.tags.set(tags)
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.thread_tagged",
        target=thread,
        data={"tags": sorted(t.slug for t in tags)},
    )
    return thread


@transaction.atomic
def post_flag(*, actor: User, post: Post, reason: str) -> PostFlag:
    """A member reports a post to the moderators with a reason."""
    ensure_writable(post.community)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the post needs a moderator.")})
    if PostFlag.objects.filter(post=post, flagged_by=actor, status=PostFlag.Status.OPEN).exists():
        raise ValidationError(_("You have already flagged this post."))
    flag = PostFlag.objects.create(
        organization=post.organization,
        community=post.community,
        post=post,
        flagged_by=actor,
        reason=reason.strip(),
    )
    audit_record(
        organization=post.organization,
        actor=actor,
        verb="community.post_flagged",
        target=post.thread,
        data={"post": post.pk, "flag": flag.pk},
    )
    return flag


@transaction.atomic
def flag_resolve(*, actor: User, flag: PostFlag, uphold: bool, note: str = "") -> PostFlag:
    """A moderator upholds a flag (the post is hidden) or dismisses it."""
    ensure_writable(flag.community)
    if flag.status != PostFlag.Status.OPEN:
        raise ValidationError(_("This flag has already been dealt with."))
    flag.status = PostFlag.Status.UPHELD if uphold else PostFlag.Status.DISMISSED
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.resolution_note = note.strip()
    flag.save()
    if uphold and not flag.post.is_hidden:
        flag.post.is_hidden = True
        flag.post.save(update_fields=["is_hidden"])
    audit_record(
        organization=flag.organization,
        actor=actor,
        verb="community.flag_upheld" if uphold else "community.flag_dismissed",
        target=flag.post.thread,
        data={"post": flag.post_id, "flag": flag.pk},
    )
    return flag


# --- Escalations ---------------------------------------------------------------------


def _check_owner(community: Community, owner: User) -> None:
    if not OrganizationMembership.objects.filter(
        organization=community.organization, user=owner
    ).exists():
        raise ValidationError({"owner": _("The owner must be a member of the organization.")})


@transaction.atomic
def escalation_create(
    *,
    actor: User,
    community: Community,
    title: str,
    escalated_to: str,
    owner: User,
    description: str = "",
) -> Escalation:
    """Record a problem the CoP cannot solve itself and who follows it up."""
    ensure_writable(community)
    if escalated_to not in Escalation.Target.values:
        raise ValidationError({"escalated_to": _("Choose who it is escalated to.")})
    if not title.strip():
        raise ValidationError({"title": _("Describe the problem.")})
    _check_owner(community, owner)
    escalation = Escalation.objects.create(
        organization=community.organization,
        community=community,
        title=title.strip(),
        description=description.strip(),
        escalated_to=escalated_to,
        owner=owner,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.escalation_created",
        target=escalation,
        data={"escalated_to": escalated_to, "owner": owner.email},
    )
    return escalation


@transaction.atomic
def escalation_update(
    *, actor: User, escalation: Escalation, status: str, owner: User, outcome: str = ""
) -> Escalation:
    ensure_writable(escalation.community)
    if status not in Escalation.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    _check_owner(escalation.community, owner)
    escalation.status = status
    escalation.owner = owner
    escalation.outcome = outcome.strip()
    escalation.save()
    audit_record(
        organization=escalation.organization,
        actor=actor,
        verb="community.escalation_updated",
        target=escalation,
        data={"status": status, "owner": owner.email},
    )
    return escalation


def mention_notify(*, mention: Mention) -> bool:
    """Email the mentioned person in their language, once. Returns whether it was sent."""
    with transaction.atomic():
        mention = (
            Mention.objects.select_for_update(of=("self",))
            .select_related("post__thread__community", "post__author", "user")
            .get(pk=mention.pk)
        )
        if mention.notified_at is not None:
            return False
        thread = mention.post.thread
        link = settings.SITE_URL.rstrip("/") + reverse(
            "communities:thread_detail",
            kwargs={
                "org_slug": mention.organization.slug,
                "community_slug": thread.community.slug,
                "thread_id": thread.pk,
            },
        )
        language = mention.user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"mention": mention, "thread": thread, "link": link}
            author = mention.post.author.display_name if mention.post.author else ""
            EmailMessage(
                subject=_("%(person)s mentioned you in “%(title)s”")
                % {"person": author, "title": thread.title},
                body=render_to_string("communities/emails/mention.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[mention.user.email],
                headers={"Content-Language": language},
            ).send()
        mention.notified_at = timezone.now()
        mention.save(update_fields=["notified_at"])
    return True
