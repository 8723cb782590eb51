"""Joining (public join, join requests, invitations) and the member directory."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.forms import DecisionForm, InvitationForm, JoinRequestForm, ProfileForm
from communities.models import CallType, JoinRequest, MemberProfile
from communities.permissions import CommunityPermission as P
from communities.views.common import load, message_from
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from measurement.models import Site


def _sites(request: OrganizationRequest):
    return Site.objects.filter(organization=request.organization, is_active=True).order_by("name")


@require_http_methods(["GET", "POST"])
def join(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Public CoP: a button joins at once. Restricted CoP: the registration form."""
    loaded = load(request, community_slug)
    community = loaded.community
    if not community.call_type:
        messages.error(request, _("The call for members is not open yet."))
        return redirect("communities:detail", org_slug=org_slug, community_slug=community.slug)
    if community.call_type == CallType.PUBLIC:
        if request.method == "POST":
            try:
                services.community_join(actor=request.user, community=community)
            except ValidationError as error:
                message_from(request, error)
            else:
                messages.success(request, _("Welcome: you are now a member."))
            return redirect("communities:detail", org_slug=org_slug, community_slug=community.slug)
        return render(request, "communities/join.html", loaded.context(form=None))
    form = JoinRequestForm(request.POST or None, sites=_sites(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your request has been sent to the conveners."))
            return redirect("communities:detail", org_slug=org_slug, community_slug=community.slug)
    return render(
        request,
        "communities/join.html",
        loaded.context(
            form=form,
            own_request=selectors.own_join_request(community=community, user=request.user),
        ),
    )


@require_GET
def join_requests(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    loaded = load(request, community_slug, need=P.MANAGE_MEMBERS)
    found = list(selectors.join_requests(community=loaded.community))
    return render(
        request,
        "communities/join_requests.html",
        loaded.context(
            pending=[r for r in found if r.status == JoinRequest.Status.PENDING],
            decided=[r for r in found if r.status != JoinRequest.Status.PENDING],
            form=DecisionForm(),
        ),
    )


@require_http_methods(["GET", "POST"])
def join_request_decide(
    request: OrganizationRequest, org_slug: str, community_slug: str, join_request_id: int
) -> HttpResponse:
    loaded = load(request, community_slug, need=P.MANAGE_MEMBERS)
    join_request = selectors.join_request_get(community=loaded.community, pk=join_request_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_decide(
                actor=request.user,
                join_request=join_request,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect(
                "communities:join_requests",
                org_slug=org_slug,
                community_slug=loaded.community.slug,
            )
    return render(
        request,
        "communities/join_request_decide.html",
        loaded.context(join_request=join_request, form=form),
    )


@require_http_methods(["GET", "POST"])
def invitations(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    loaded = load(request, community_slug, need=P.MANAGE_MEMBERS)
    form = InvitationForm(
        request.POST or None,
        people=selectors.people_of_organization(organization=request.organization),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.community_invitation_create(
                actor=request.user, community=loaded.community, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect(
                "communities:invitations",
                org_slug=org_slug,
                community_slug=loaded.community.slug,
            )
    return render(
        request,
        "communities/invitations.html",
        loaded.context(form=form, invitations=selectors.invitations(community=loaded.community)),
    )


@require_POST
def invitation_respond(
    request: OrganizationRequest, org_slug: str, community_slug: str, invitation_id: int
) -> HttpResponse:
    """The invited person accepts or declines; anyone else gets the same 404 as missing."""
    loaded = load(request, community_slug)
    invitation = selectors.invitation_get(community=loaded.community, pk=invitation_id)
    if invitation.user_id != request.user.pk:
        raise Http404
    try:
        services.community_invitation_respond(
            actor=request.user, invitation=invitation, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as error:
        message_from(request, error)
    else:
        messages.success(request, _("Your answer has been recorded."))
    return redirect("communities:detail", org_slug=org_slug, community_slug=loaded.community.slug)


@require_GET
def member_directory(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """Members with roles, site and expertise; searchable by expertise."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    query = request.GET.get("expertise", "").strip()[:200]
    return render(
        request,
        "communities/members.html",
        loaded.context(
            entries=selectors.member_directory(community=loaded.community, expertise=query),
            query=query,
        ),
    )


@require_http_methods(["GET", "POST"])
def member_profile(
    request: OrganizationRequest, org_slug: str, community_slug: str, user_id: int
) -> HttpResponse:
    """A directory entry: the person edits their own; managers edit anyone's and set the
    planning-group flag."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    community = loaded.community
    person = (
        selectors.people_of_organization(organization=request.organization)
        .filter(pk=user_id)
        .first()
    )
    if person is None or not selectors.user_holds_role(community=community, user=person):
        raise Http404
    is_manager = loaded.can(P.MANAGE_MEMBERS)
    if person.pk != request.user.pk and not is_manager:
        loaded.require(P.MANAGE_MEMBERS)
    profile = MemberProfile.objects.filter(community=community, user=person).first()
    initial = (
        {
            "job_title": profile.job_title,
            "site": profile.site_id,
            "expertise": profile.expertise,
            "planning_group": profile.planning_group,
        }
        if profile
        else {}
    )
    form = ProfileForm(
        request.POST or None,
        sites=_sites(request),
        with_planning_group=is_manager,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_profile_update(
                actor=request.user,
                community=community,
                user=person,
                job_title=form.cleaned_data["job_title"],
                expertise=form.cleaned_data["expertise"],
                site=form.cleaned_data["site"],
                planning_group=form.cleaned_data.get("planning_group") if is_manager else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The directory entry has been saved."))
            return redirect("communities:members", org_slug=org_slug, community_slug=community.slug)
    return render(
        request, "communities/member_profile.html", loaded.context(form=form, person=person)
    )
