"""CFIR rounds, ratings, barriers, the ERIC strategies chosen for them, and the follow-through
chain."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from evaluation import selectors, services
from evaluation.forms import (
    RATING_CHOICES,
    StrategyChooseForm,
    StrategyLinkForm,
)
from evaluation.models import CfirConstruct
from evaluation.permissions import EvaluationPermission as E
from evaluation.views import new
from evaluation.views.common import _ctx, _load, _to

# --------------------------------------------------------------------------- CFIR


@require_http_methods(["GET", "POST"])
def cfir_rounds(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    if request.method == "POST":  # the round form's old address
        return new.cfir_round_create(request, access)
    return render(
        request,
        "evaluation/cfir_rounds.html",
        _ctx(access, rounds=selectors.cfir_rounds(community=access.community)),
    )


def cfir_round(
    request: OrganizationRequest, org_slug: str, community_slug: str, round_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    found = selectors.cfir_round_get(community=access.community, round_id=round_id)
    return render(
        request,
        "evaluation/cfir_round.html",
        _ctx(access, heat=selectors.heat_map(cfir_round=found), cfir_round=found),
    )


@require_http_methods(["GET", "POST"])
def cfir_rate(
    request: OrganizationRequest, org_slug: str, community_slug: str, round_id: int, site_id: int
) -> HttpResponse:
    """Rate every construct for one site: a rating and evidence per construct."""
    access = _load(request, community_slug, need=E.ASSESS)
    found = selectors.cfir_round_get(community=access.community, round_id=round_id)
    site = selectors.site_for_community(community=access.community, site_id=site_id)
    constructs = selectors.cfir_constructs()
    current = selectors.site_ratings(cfir_round=found, site=site)
    rows: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    entries: list[tuple[CfirConstruct, int | None, str]] = []
    for construct in constructs:
        existing = current.get(construct.pk)
        if request.method == "POST":
            raw = request.POST.get(f"r{construct.pk}", "")
            evidence = request.POST.get(f"e{construct.pk}", "")
            rating = None
            if raw != "":
                try:
                    rating = int(raw)
                except ValueError:
                    errors[construct.code] = _("Choose a rating from the list.")
            entries.append((construct, rating, evidence))
        else:
            raw = "" if existing is None or existing.rating is None else str(existing.rating)
            evidence = existing.evidence if existing else ""
        rows.append({"construct": construct, "raw": raw, "evidence": evidence})
    if request.method == "POST" and not errors:
        try:
            services.cfir_ratings_save(
                actor=request.user, cfir_round=found, site=site, entries=entries
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(
                request, _("The ratings for %(site)s have been saved.") % {"site": site.name}
            )
            return _to("cfir_round", org_slug, access, round_id=found.pk)
    for row in rows:
        row["error"] = errors.get(row["construct"].code)
    return render(
        request,
        "evaluation/cfir_rate.html",
        _ctx(
            access,
            cfir_round=found,
            site=site,
            rows=rows,
            choices=RATING_CHOICES,
            errors=errors,
        ),
    )


@require_http_methods(["GET", "POST"])
def barrier(
    request: OrganizationRequest, org_slug: str, community_slug: str, barrier_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    found = selectors.barrier_get(community=access.community, barrier_id=barrier_id)
    clusters = selectors.eric_clusters()
    form = StrategyChooseForm(request.POST or None, clusters=clusters)
    if request.method == "POST":
        access.require(E.ASSESS)
        if form.is_valid():
            try:
                choice = services.strategy_choose(
                    actor=request.user,
                    barrier=found,
                    strategy=form.cleaned_data["strategy"],
                    rationale=form.cleaned_data["rationale"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Strategy chosen: now link the tests and measures."))
                return _to("strategy", org_slug, access, choice_id=choice.pk)
    choices = list(selectors.barrier_strategies(barrier=found))
    return render(
        request,
        "evaluation/barrier.html",
        _ctx(access, barrier=found, form=form, choices=choices),
    )


@require_http_methods(["GET", "POST"])
def strategy(
    request: OrganizationRequest, org_slug: str, community_slug: str, choice_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    choice = selectors.strategy_choice_get(community=access.community, choice_id=choice_id)
    initial = {
        "tests": list(choice.tests.all()),
        "measures": list(choice.measures.all()),
        "rationale": choice.rationale,
    }
    form = StrategyLinkForm(request.POST or None, initial=initial, community=access.community)
    if request.method == "POST":
        access.require(E.ASSESS)
        if form.is_valid():
            try:
                services.strategy_link(
                    actor=request.user,
                    choice=choice,
                    tests=list(form.cleaned_data["tests"]),
                    measures=list(form.cleaned_data["measures"]),
                    rationale=form.cleaned_data["rationale"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The strategy's tests and measures have been saved."))
                return _to("follow_through", org_slug, access)
    return render(request, "evaluation/strategy.html", _ctx(access, choice=choice, form=form))


@require_POST
def strategy_remove(
    request: OrganizationRequest, org_slug: str, community_slug: str, choice_id: int
) -> HttpResponse:
    access = _load(request, community_slug, need=E.ASSESS)
    choice = selectors.strategy_choice_get(community=access.community, choice_id=choice_id)
    barrier_id = choice.barrier_id
    try:
        services.strategy_remove(actor=request.user, choice=choice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The strategy has been removed."))
    return _to("barrier", org_slug, access, barrier_id=barrier_id)


def follow_through(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    access = _load(request, community_slug)
    rounds = list(selectors.cfir_rounds(community=access.community))
    chosen = rounds[0] if rounds else None
    wanted = request.GET.get("round")
    if wanted and wanted.isdigit():
        chosen = next((r for r in rounds if r.pk == int(wanted)), chosen)
    rows = []
    if chosen is not None:
        from dashboards.selectors import audience_for

        audience = audience_for(user=request.user, community=access.community)
        rows = selectors.follow_through(
            community=access.community, audience=audience, cfir_round=chosen
        )
    return render(
        request,
        "evaluation/follow_through.html",
        _ctx(access, rows=rows, rounds=rounds, chosen=chosen),
    )
