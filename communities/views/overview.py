"""The CoP overview ("what needs me now") and the role-assignment page that used to sit
inside it. The overview still accepts the assignment form's POST so old links and
clients keep working."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from communities import overview, selectors, services
from communities.forms import RoleAssignForm
from communities.models import Objective, Rhythm
from communities.permissions import CommunityPermission as P
from communities.views.common import Loaded, load
from communities.views.roles import convener_assignment_confirmation
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.permissions import CommunityRole
from measurement.permissions import MeasurementPermission
from sessions.permissions import SessionPermission


def _assign(
    request: OrganizationRequest, loaded: Loaded
) -> tuple[RoleAssignForm, HttpResponse | None]:
    """The assignment form, bound on POST; the confirmation step when it names a
    convener; a redirect to the overview once assigned."""
    form = RoleAssignForm(
        request.POST or None,
        people=selectors.people_of_organization(organization=request.organization),
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST":
        loaded.require(P.MANAGE_ROLES)
        if form.is_valid():
            confirmation, reason = convener_assignment_confirmation(request, loaded, form)
            if confirmation is not None:
                return form, confirmation
            try:
                services.role_assign(
                    actor=request.user,
                    community=loaded.community,
                    reason=reason,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The role has been assigned."))
                return form, redirect(
                    "communities:detail",
                    org_slug=request.organization.slug,
                    community_slug=loaded.community.slug,
                )
    return form, None


@require_http_methods(["GET", "POST"])
def role_assign(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Assign a role with a term: its own page, for those who manage roles."""
    loaded = load(request, community_slug, need=P.MANAGE_ROLES)
    form, done = _assign(request, loaded)
    if done:
        return done
    return render(request, "communities/role_assign.html", loaded.context(form=form))


@require_http_methods(["GET", "POST"])
def community_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """What needs the person looking now: the phase and its next gate, their action
    items, sessions coming, threads waiting, data due and signals on the measures, each
    where it applies to them; then the CoP's purpose and who holds its roles."""
    loaded = load(request, community_slug)
    community = loaded.community
    if request.method == "POST":  # the assignment form's old address
        form, done = _assign(request, loaded)
        if done:
            return done
        return render(request, "communities/role_assign.html", loaded.context(form=form))
    today = timezone.localdate()
    assignments = list(selectors.role_assignments(community=community))
    active = sorted(
        (a for a in assignments if a.is_active_on(today)),
        key=lambda a: (a.role, a.user.display_name),
    )
    holds_role = any(a.user_id == request.user.pk for a in active)
    # Participants are many: the overview names the people with other roles and counts
    # the participants (the directory and the roles page list everyone).
    participants = [a for a in active if a.role == CommunityRole.MEMBER]
    active = [a for a in active if a.role != CommunityRole.MEMBER]
    context = loaded.context(
        needs=overview.needs_me(community=community, user=request.user, perms=loaded.perms),
        active_roles=active,
        participant_count=len({a.user_id for a in participants}),
        can_manage_roles=loaded.can(P.MANAGE_ROLES),
        can_plan_sessions=loaded.can(SessionPermission.MANAGE_SESSIONS),
        can_manage_measures=loaded.can(MeasurementPermission.MANAGE_MEASURES),
        warnings=selectors.role_warnings(community=community, assignments=assignments, today=today)
        if loaded.can(P.MANAGE_ROLES) or loaded.can(P.MANAGE_MEMBERS)
        else [],
        overview=selectors.community_overview(community=community),
        objective_labels=[dict(Objective.choices)[o] for o in community.objectives],
        rhythm_labels=[dict(Rhythm.choices)[r] for r in community.rhythm],
        results=list(selectors.expected_results(community=community)),
        holds_role=holds_role,
        own_request=None
        if holds_role
        else selectors.own_join_request(community=community, user=request.user),
        invitation=None
        if holds_role
        else selectors.pending_invitation_for(community=community, user=request.user),
    )
    return render(request, "communities/community_detail.html", context)
