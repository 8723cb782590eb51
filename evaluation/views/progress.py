"""Monthly progress ratings (IHI Assessment Scale): this month's table of site teams
with the distribution across sites, a site's trend, rating the month, and naming each
site's team lead. Everyone who sees the CoP reads them (sponsors read-only); a site's
team lead self-rates, conveners and facilitators add the faculty's rating."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from communities.models import CommunityRoleAssignment
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.models import User
from dashboards.views.common import inline_svg
from evaluation import progress_charts, services
from evaluation.forms_progress import ProgressRateForm, TeamLeadForm
from evaluation.models import ProgressRating
from evaluation.permissions import EvaluationPermission as E
from evaluation.selectors import progress as sel
from evaluation.views.common import _ctx, _load, _to

TREND_MONTHS = 12


def progress(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """This month's ratings of every site team, the gaps, and the distribution over the
    last twelve months (chart and table)."""
    access = _load(request, community_slug)
    month = services.current_month()
    rows = sel.month_table(community=access.community, month=month)
    months = sel.months_back(month, TREND_MONTHS)
    dist = sel.distribution(community=access.community, months=months)
    spec = progress_charts.distribution_spec(
        title=_("Site teams by level of the IHI Assessment Scale, per month"), months=dist
    )
    return render(
        request,
        "evaluation/progress.html",
        _ctx(
            access,
            month=month,
            rows=rows,
            distribution=dist,
            distribution_svg=inline_svg(spec),
            levels=[label for _v, label, _n in dist[-1].levels] if dist else [],
        ),
    )


def progress_site(
    request: OrganizationRequest, org_slug: str, community_slug: str, site_id: int
) -> HttpResponse:
    """A site team's trend: its own and the faculty's rating month by month."""
    access = _load(request, community_slug)
    enrolment = sel.enrolment_get(community=access.community, site_id=site_id)
    months = sel.months_back(services.current_month(), TREND_MONTHS)
    trend = sel.site_trend(community=access.community, site_id=site_id, months=months)
    spec = progress_charts.trend_spec(site_name=enrolment.site.name, rows=trend)
    return render(
        request,
        "evaluation/progress_site.html",
        _ctx(
            access,
            enrolment=enrolment,
            trend=trend[::-1],
            trend_svg=inline_svg(spec),
            is_lead=enrolment.team_lead_id == request.user.pk,
        ),
    )


@require_http_methods(["GET", "POST"])
def progress_rate(
    request: OrganizationRequest, org_slug: str, community_slug: str, site_id: int
) -> HttpResponse:
    """Rate (or revise) the current month for one site team: the team lead's own rating
    or the faculty's, as the URL's ``kind`` says (the one the person may give by default)."""
    access = _load(request, community_slug)
    enrolment = sel.enrolment_get(community=access.community, site_id=site_id)
    is_lead = enrolment.team_lead_id == request.user.pk
    allowed = [ProgressRating.Kind.SELF] if is_lead else []
    if access.can_assess:
        allowed.append(ProgressRating.Kind.FACULTY)
    if not allowed:
        raise PermissionDenied
    wanted = request.GET.get("kind") or request.POST.get("kind") or allowed[0]
    kind = next((k for k in allowed if k == wanted), None)
    if kind is None:
        raise PermissionDenied
    month = services.current_month()
    existing = (
        ProgressRating.objects.filter(
            community=access.community, site_id=site_id, month=month, kind=kind
        )
        .select_related("rated_by")
        .first()
    )
    initial = {"score": f"{existing.score:.1f}", "note": existing.note} if existing else {}
    form = ProgressRateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_rate(
                actor=request.user,
                community=access.community,
                site=enrolment.site,
                kind=kind,
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
                may_rate_as_faculty=access.can_assess,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The rating of %(site)s for %(month)s has been saved.")
                % {"site": enrolment.site.name, "month": _month_label(month)},
            )
            return _to("progress_site", org_slug, access, site_id=site_id)
    return render(
        request,
        "evaluation/progress_rate.html",
        _ctx(
            access,
            enrolment=enrolment,
            form=form,
            kind=kind,
            kind_label=ProgressRating.Kind(kind).label,
            allowed=allowed,
            existing=existing,
            month=month,
        ),
    )


@require_http_methods(["GET", "POST"])
def progress_team_leads(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """Name each site's team lead (conveners and facilitators): the person who self-rates."""
    access = _load(request, community_slug, need=E.ASSESS)
    enrolments = sel.enrolments(community=access.community)
    member_ids = (
        CommunityRoleAssignment.objects.filter(community=access.community)
        .active_on(timezone.localdate())
        .values("user_id")
    )
    members = list(User.objects.filter(pk__in=member_ids).order_by("display_name"))
    by_id = {str(u.pk): u for u in members}
    form = TeamLeadForm(request.POST or None, enrolments=enrolments, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            for enrolment in enrolments:
                chosen = by_id.get(form.cleaned_data.get(f"site_{enrolment.site_id}") or "")
                if (chosen.pk if chosen else None) != enrolment.team_lead_id:
                    services.site_team_lead_set(
                        actor=request.user,
                        community=access.community,
                        site=enrolment.site,
                        team_lead=chosen,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The site team leads have been saved."))
            return _to("progress", org_slug, access)
    return render(request, "evaluation/progress_team_leads.html", _ctx(access, form=form))


def _month_label(month) -> str:
    from django.utils.formats import date_format

    return date_format(month, "YEAR_MONTH_FORMAT")
