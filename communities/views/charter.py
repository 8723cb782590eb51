"""The charter: the current version, the draft editor, numbered versions, comparisons
and acknowledgements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.charter_diff import charter_diff
from communities.forms import CharterDraftForm, CharterPublishForm
from communities.models import CHARTER_SECTIONS, CharterAcknowledgement, CharterDraft
from communities.permissions import CommunityPermission as P
from communities.views.common import load, message_from
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.models import User


def _to_charter(org_slug: str, slug: str):
    return redirect("communities:charter", org_slug=org_slug, community_slug=slug)


@require_GET
def charter(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The current published charter; conveners see who has and has not acknowledged it."""
    loaded = load(request, community_slug, need=P.VIEW)
    current = selectors.charter_current(community=loaded.community)
    acks: list[CharterAcknowledgement] = []
    pending: list[User] = []
    if current is not None and (loaded.can(P.EDIT_CHARTER) or loaded.can(P.MANAGE_MEMBERS)):
        acks, pending = selectors.charter_acknowledgement_status(version=current)
    return render(
        request,
        "communities/charter.html",
        loaded.context(
            version=current,
            versions=list(selectors.charter_versions(community=loaded.community)),
            acks=acks,
            pending=pending,
            acknowledged=current is not None
            and selectors.has_acknowledged(version=current, user=request.user),
        ),
    )


@require_http_methods(["GET", "POST"])
def charter_edit(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Edit the draft freely; "Publish" makes it the next numbered version."""
    loaded = load(request, community_slug, need=P.EDIT_CHARTER)
    community = loaded.community
    draft = selectors.charter_draft(community=community) or CharterDraft()
    initial = {key: getattr(draft, key) for key, _l in CHARTER_SECTIONS}
    prefilled = not any(text.strip() for text in initial.values())
    if prefilled:
        initial.update(selectors.charter_first_draft(community=community))
    form = CharterDraftForm(request.POST or None, initial=initial)
    publish_form = CharterPublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and publish_form.is_valid():
        try:
            services.charter_draft_update(
                actor=request.user, community=community, sections=form.cleaned_data
            )
            if "publish" in request.POST:
                version = services.charter_publish(
                    actor=request.user,
                    community=community,
                    change_note=publish_form.cleaned_data["change_note"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "publish" in request.POST:
                messages.success(
                    request, _("Version %(n)s has been published.") % {"n": version.number}
                )
                return _to_charter(org_slug, community.slug)
            messages.success(request, _("The draft has been saved."))
            return redirect(request.path)
    return render(
        request,
        "communities/charter_edit.html",
        loaded.context(form=form, publish_form=publish_form, prefilled=prefilled),
    )


@require_GET
def charter_version(
    request: OrganizationRequest, org_slug: str, community_slug: str, version_number: int
) -> HttpResponse:
    loaded = load(request, community_slug, need=P.VIEW)
    version = selectors.charter_version_get(community=loaded.community, number=version_number)
    return render(
        request,
        "communities/charter_version.html",
        loaded.context(
            version=version,
            acks=list(selectors.charter_acknowledgements(version=version))
            if loaded.can(P.EDIT_CHARTER) or loaded.can(P.MANAGE_MEMBERS)
            else [],
        ),
    )


@require_POST
def charter_acknowledge(
    request: OrganizationRequest, org_slug: str, community_slug: str, version_number: int
) -> HttpResponse:
    loaded = load(request, community_slug)
    version = selectors.charter_version_get(community=loaded.community, number=version_number)
    loaded.require(P.POST)
    try:
        services.charter_acknowledge(actor=request.user, version=version)
    except ValidationError as error:
        message_from(request, error)
    else:
        messages.success(request, _("Thank you: your acknowledgement has been recorded."))
    return _to_charter(org_slug, loaded.community.slug)


@require_GET
def charter_compare(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """Compare any two versions (``?from=1&to=3``), section by section."""
    loaded = load(request, community_slug, need=P.VIEW)
    versions = list(selectors.charter_versions(community=loaded.community))
    numbers = [v.number for v in versions]
    diff, old, new, error = None, None, None, ""

    def number(name: str, default: int | None) -> int | None:
        raw = request.GET.get(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            return None

    if len(numbers) >= 2:
        first, second = number("from", numbers[1]), number("to", numbers[0])
        by_number = {v.number: v for v in versions}
        if first in by_number and second in by_number:
            old, new = by_number[first], by_number[second]
            diff = charter_diff(old, new)
        else:
            error = _("Choose two published versions to compare.")
    return render(
        request,
        "communities/charter_compare.html",
        loaded.context(versions=versions, old=old, new=new, diff=diff, error=error),
    )
