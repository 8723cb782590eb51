"""The events page of a rare-events measure: a steward records each event (site, date,
optional category and opportunities) and deletes a mistaken one after confirming.

Event dates are the steward's detail (they are not disclosed to other members as
such: the dashboards show the counts and intervals with disclosure control), so the
page is for those who submit or approve the CoP's data.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from measurement import access, selectors, services
from measurement.forms import RareEventForm
from measurement.models import Measure

SHOWN = 100


def _measure(request: OrganizationRequest, community_slug: str, measure_id: int):
    community = selectors.community_get(organization=request.organization, slug=community_slug)
    measure = selectors.measure_get(community=community, measure_id=measure_id)
    if measure.value_type != Measure.ValueType.RARE_EVENTS:
        raise Http404
    user = request.user
    access.require(access.can_submit(user, community) or access.can_approve(user, community))
    return community, measure


@require_http_methods(["GET", "POST"])
def rare_events_page(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community, measure = _measure(request, community_slug, measure_id)
    sites = [e.site for e in selectors.enrolments(community=community)]
    chosen = request.GET.get("site") or request.POST.get("site")
    site = next((s for s in sites if str(s.pk) == chosen), None)
    can_submit = access.can_submit(request.user, community)
    form = RareEventForm(
        request.POST if request.method == "POST" else None,
        sites=sites,
        opportunity_unit=measure.opportunity_unit,
        initial={"site": site.pk} if site else None,
    )
    if request.method == "POST":
        access.require(can_submit)
        if form.is_valid():
            data = form.cleaned_data
            site = next(s for s in sites if s.pk == data["site"])
            try:
                services.rare_event_record(
                    actor=request.user, community=community, measure=measure, site=site,
                    occurred_on=data["occurred_on"], category=data.get("category", ""),
                    opportunities=data.get("opportunities"),
                )  # fmt: skip
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The event of %(date)s at %(site)s has been recorded.")
                    % {"date": data["occurred_on"].isoformat(), "site": site.name},
                )
                return redirect(f"{request.path}?site={site.pk}")
    events = list(selectors.rare_events(measure=measure, site=site)[:SHOWN])
    chart_url = reverse(
        "dashboards:dashboard_measure",
        kwargs={"org_slug": org_slug, "community_slug": community.slug, "measure_id": measure.pk},
    )
    return render(
        request,
        "measurement/rare_events.html",
        {
            "community": community,
            "measure": measure,
            "form": form,
            "sites": sites,
            "site": site,
            "events": events,
            "can_submit": can_submit,
            "chart_url": f"{chart_url}?site={site.pk}" if site else chart_url,
        },
    )


@require_http_methods(["GET", "POST"])
def rare_event_delete(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int, event_id: int
) -> HttpResponse:
    """Deleting an event asks first; only a POST with ``confirmed=1`` deletes it."""
    community, measure = _measure(request, community_slug, measure_id)
    event = selectors.rare_event_get(community=community, measure=measure, event_id=event_id)
    access.require(access.can_submit(request.user, community))
    back = reverse(
        "measurement:rare_events",
        kwargs={"org_slug": org_slug, "community_slug": community.slug, "measure_id": measure.pk},
    )
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        site_id = event.site_id
        services.rare_event_delete(actor=request.user, community=community, event=event)
        messages.success(request, _("The event has been deleted."))
        return redirect(f"{back}?site={site_id}")
    return render(
        request,
        "measurement/rare_event_delete.html",
        {"community": community, "measure": measure, "event": event, "back": back},
    )
