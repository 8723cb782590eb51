"""Pages: a person's email preferences and delivery log (under /o/<org_slug>/), an org
admin's bounce form and per-member log, and the public one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.models import User
from copcore.permissions import OrgPermission
from copcore.views import require_org_perm
from notifications import selectors, services
from notifications.forms import BounceForm, PreferenceForm
from notifications.models import REMINDER_KINDS, Kind
from notifications.tokens import read_unsubscribe_token

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    user = request.user
    communities = list(selectors.communities_of(user=user, organization=request.organization))
    pref = services.preference_get_or_default(user=user)
    initial = {
        "digest_enabled": pref.digest_enabled,
        "frequency": pref.frequency,
        "weekday": pref.weekday,
        "hour": pref.hour,
        "include_content": pref.include_content,
        "followed_replies": pref.followed_replies,
        "reminders": [k for k in REMINDER_KINDS if pref.reminder_enabled(k)],
        "opted_out": sorted(selectors.opted_out_ids(user=user, organization=request.organization)),
    }
    form = PreferenceForm(request.POST or None, initial=initial, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_update(
                actor=user,
                digest_enabled=data["digest_enabled"],
                frequency=data["frequency"],
                weekday=data["weekday"],
                hour=data["hour"],
                include_content=data["include_content"],
                disabled_reminders=[k for k in REMINDER_KINDS if k not in data["reminders"]],
                organization=request.organization,
                opted_out_community_ids=set(data["opted_out"]),
                followed_replies=data["followed_replies"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error, {"disabled_reminders": "reminders"})
        else:
            messages.success(request, _("Your email preferences were saved."))
            return redirect("notifications:preferences", org_slug=org_slug)
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "pref": pref, "time_zone": user.time_zone},
    )


def _log_page(request: OrganizationRequest, person: User, *, admin_view: bool) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    records = selectors.delivery_log(user=person, kind=kind)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/delivery_log.html",
        {
            "person": person,
            "page": page,
            "kind": kind,
            "kinds": Kind.choices,
            "admin_view": admin_view,
        },
    )


@login_required
def delivery_log(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    return _log_page(request, request.user, admin_view=False)


@login_required
@require_http_methods(["GET"])
def digest_preview(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """What the person's digest for the current period holds now (nothing is sent or
    recorded): the plain-text part, as the email would carry it."""
    from notifications.digest import compose_digests

    composed = compose_digests([request.user.pk])
    return render(
        request,
        "notifications/digest_preview.html",
        {"digest": composed[0] if composed else None},
    )


@login_required
def member_delivery_log(request: OrganizationRequest, org_slug: str, user_id: int) -> HttpResponse:
    person = selectors.member_get(organization=request.organization, user_id=user_id)
    require_org_perm(request, OrgPermission.INVITE_MEMBERS)
    return _log_page(request, person, admin_view=True)


@login_required
@require_http_methods(["GET", "POST"])
def bounce_record(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    require_org_perm(request, OrgPermission.INVITE_MEMBERS)
    form = BounceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bounce = services.bounce_record(
                actor=request.user, organization=request.organization, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The bounce was recorded."))
            return redirect("notifications:member_log", org_slug=org_slug, user_id=bounce.user_id)
    return render(request, "notifications/bounce_form.html", {"form": form})


@csrf_exempt  # RFC 8058: mail providers POST without a cookie or a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button (link scanners must not unsubscribe anyone);
    POST, from that button or from the mail provider's one-click, unsubscribes."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    user_id, kind = found
    label = Kind(kind).label if kind in Kind.values else Kind.DIGEST.label
    if request.method == "POST":
        with scopes_disabled():
            done = services.unsubscribe(user_id=user_id, kind=kind)
        if done is None:
            return render(request, "notifications/unsubscribe_invalid.html", status=404)
        return render(request, "notifications/unsubscribe_done.html", {"label": label})
    return render(request, "notifications/unsubscribe_confirm.html", {"label": label})
