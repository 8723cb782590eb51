"""The private calendar feed and its settings page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from copcore.http import OrganizationRequest
from sessions import ics, selectors, services

# --- calendars ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def calendar_settings(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """The person's private feed: create or reset (the URL is shown once) or revoke."""
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(user=request.user)
            messages.success(request, _("Your calendar feed has been switched off."))
            return redirect("sessions:calendar_settings", org_slug=org_slug)
        token = services.feed_token_reset(user=request.user)
        feed_url = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": token}))
    return render(
        request,
        "sessions/calendar_settings.html",
        {"feed_url": feed_url, "has_feed": selectors.has_feed_token(user=request.user)},
    )


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no login (calendar clients cannot log in); the secret in
    the URL is the credential. An unknown or revoked token is a plain 404."""
    user = selectors.feed_user(token_hash=services.feed_token_hash(token))
    if user is None:
        raise Http404
    sessions = selectors.feed_sessions(user=user)
    body = ics.calendar_bytes(sessions, name=_("CoP sessions"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
