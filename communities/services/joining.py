"""Joining: public joins, join requests, invitations and directory entries."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.emails import absolute_url, send_in_language
from communities.models import (
    CallType,
    Community,
    CommunityInvitation,
    CommunityRoleAssignment,
    JoinRequest,
    MemberProfile,
)
from communities.selectors import user_holds_role
from communities.services.roles import ensure_writable, role_assign
from copcore import dispatch
from copcore.models import OrganizationMembership, User
from copcore.permissions import CommunityRole
from copcore.services import audit_record


def _check_call_open(community: Community) -> None:
    if not community.call_type:
        raise ValidationError(
            _("The call for members is not open yet: the conveners have not chosen it.")
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
    if user_holds_role(community=community, user=actor):
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
    if user_holds_role(community=community, user=actor):
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
        if not user_holds_role(community=community, user=join_request.user):
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
    _after_commit("send_join_decision_email", community.organization_id, join_request.pk)
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
    if user_holds_role(community=community, user=user):
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
    _after_commit("send_community_invitation_email", community.organization_id, invitation.pk)
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
    if accept and not user_holds_role(community=invitation.community, user=actor):
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


def _after_commit(task_name: str, organization_id: int, pk: int) -> None:
    dispatch.enqueue_on_commit(f"communities.tasks.{task_name}", organization_id, pk)


def community_invitation_notify(*, invitation: CommunityInvitation) -> bool:
    """Email the invited person once, in their language. Returns whether it was sent."""
    with transaction.atomic():
        invitation = (
            CommunityInvitation.objects.select_for_update(of=("self",))
            .select_related("community", "user", "invited_by", "organization")
            .get(pk=invitation.pk)
        )
        if invitation.emailed_at is not None:
            return False
        community = invitation.community
        link = absolute_url(
            "communities:detail",
            org_slug=invitation.organization.slug,
            community_slug=community.slug,
        )
        send_in_language(
            user=invitation.user,
            subject=lambda: (
                _("You are invited to join %(community)s") % {"community": community.name}
            ),
            template="communities/emails/invitation.txt",
            context={"invitation": invitation, "community": community, "link": link},
        )
        invitation.emailed_at = timezone.now()
        invitation.save(update_fields=["emailed_at"])
    return True


def join_decision_notify(*, join_request: JoinRequest) -> bool:
    """Email the person who asked to join the decision (and a decline's reason), once."""
    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("community", "user", "organization")
            .get(pk=join_request.pk)
        )
        if join_request.decision_emailed_at is not None or (
            join_request.status == JoinRequest.Status.PENDING
        ):
            return False
        community = join_request.community
        link = absolute_url(
            "communities:detail",
            org_slug=join_request.organization.slug,
            community_slug=community.slug,
        )
        approved = join_request.status == JoinRequest.Status.APPROVED
        send_in_language(
            user=join_request.user,
            subject=lambda: (
                (
                    _("Welcome to %(community)s")
                    if approved
                    else _("Your request to join %(community)s")
                )
                % {"community": community.name}
            ),
            template="communities/emails/join_decision.txt",
            context={
                "join_request": join_request,
                "community": community,
                "link": link,
                "approved": approved,
            },
        )
        join_request.decision_emailed_at = timezone.now()
        join_request.save(update_fields=["decision_emailed_at"])
    return True
