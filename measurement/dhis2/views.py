"""DHIS2 pages: the organization's connection (its admins), and per CoP the mapping,
its preview, pulls, downloads and sending back (the CoP's data stewards and the
organization's admins). Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore import crypto
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.views import require_org_perm
from measurement import selectors as measurement_selectors
from measurement.dhis2 import exchange, pulls, selectors, services
from measurement.dhis2.client import Dhis2Error, error_message
from measurement.dhis2.forms import (
    CategoryMapForm,
    ConnectionForm,
    MappingForm,
    MeasureMapForm,
    SearchForm,
    SiteMapForm,
)
from measurement.models import Dhis2Connection, Dhis2Mapping


def _problem(code: str) -> str:
    if code == "secret_unreadable":
        return _("The stored token or password cannot be read: enter it again.")
    if code == "no_connection":
        return _("The organization has no DHIS2 connection yet.")
    return error_message(code)


# Organization: the connection ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def connection(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    require_org_perm(request, services.MANAGE_CONNECTION)
    current = selectors.connection_of(organization=request.organization)
    initial = (
        {
            "base_url": current.base_url,
            "auth": current.auth,
            "username": current.username,
            "push_enabled": current.push_enabled,
        }
        if current
        else {"auth": "token"}
    )
    form = ConnectionForm(request.POST or None, initial=initial)
    result = None
    if request.method == "POST" and request.POST.get("action") == "test":
        if current is None:
            raise Http404
        result = services.connection_test(actor=request.user, connection=current)
        form = ConnectionForm(initial=initial)
    elif request.method == "POST" and form.is_valid():
        try:
            services.connection_save(
                actor=request.user, organization=request.organization, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The connection has been saved. Test it below."))
            return redirect("measurement:dhis2_connection", org_slug=org_slug)
    if current is not None:
        current.refresh_from_db()
    return render(
        request,
        "measurement/dhis2/connection.html",
        {
            "form": form,
            "connection": current,
            "secret_set": bool(current and current.secret),
            "result": result,
        },
    )


# A CoP: the mapping ------------------------------------------------------------------------


def _community_for_mapping(request: OrganizationRequest, community_slug: str):
    community = measurement_selectors.community_get(
        organization=request.organization, slug=community_slug
    )
    if not services.can_map(request.user, community):
        raise PermissionDenied
    return community


def _search(request: OrganizationRequest, form: SearchForm) -> dict:
    """The server's list for the search box: one page of results or the error."""
    if not form.is_valid() or not request.GET.get("collection"):
        return {}
    current = selectors.connection_of(organization=request.organization)
    if current is None:
        return {"error": _problem("no_connection")}
    page = form.cleaned_data.get("page") or 1
    try:
        rows, pages = services.client_for(current).metadata_page(
            form.cleaned_data["collection"], query=form.cleaned_data["q"], page=page
        )
    except Dhis2Error as error:
        return {"error": error.message}
    except crypto.SecretUnreadable:
        return {"error": _problem("secret_unreadable")}
    return {"rows": rows, "page": page, "pages": pages}


@require_http_methods(["GET", "POST"])
def mapping(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community_for_mapping(request, community_slug)
    current = selectors.mapping_of(community=community)
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if post else ""
    forms = {
        "settings": MappingForm(
            post if action == "settings" else None,
            instance=current or Dhis2Mapping(),
        ),
        "site": SiteMapForm(post if action == "site" else None, community=community),
        "measure": MeasureMapForm(post if action == "measure" else None, community=community),
        "category": CategoryMapForm(post if action == "category" else None, community=community),
    }
    if post is not None:
        form = forms.get(action)
        if form is None:
            raise Http404
        if action != "settings" and current is None:
            form.add_error(None, _("Save the settings first."))
        elif form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if action == "settings" or current is None:
                    services.mapping_save(actor=request.user, community=community, **data)
                elif action == "site":
                    services.site_map_add(actor=request.user, mapping=current, **data)
                elif action == "measure":
                    services.measure_map_add(actor=request.user, mapping=current, **data)
                else:
                    services.category_map_add(actor=request.user, mapping=current, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The mapping has been saved."))
                return redirect(
                    "measurement:dhis2_mapping", org_slug=org_slug, community_slug=community_slug
                )
    search_form = SearchForm(request.GET or None)
    return render(
        request,
        "measurement/dhis2/mapping.html",
        {
            "community": community,
            "mapping": current,
            "forms": forms,
            "lines": selectors.mapping_lines(mapping=current) if current else {},
            "pulls": selectors.recent_pulls(mapping=current) if current else [],
            "connection": selectors.connection_of(organization=request.organization),
            "search_form": search_form,
            "search": _search(request, search_form),
        },
    )


@require_POST
def mapping_remove(
    request: OrganizationRequest, org_slug: str, community_slug: str, kind: str, item_id: int
) -> HttpResponse:
    community = _community_for_mapping(request, community_slug)
    current = selectors.mapping_get(community=community)
    try:
        services.mapping_item_remove(
            actor=request.user, mapping=current, kind=kind, item_id=item_id
        )
    except ValidationError as error:
        raise Http404 from error
    messages.success(request, _("The line has been removed from the mapping."))
    return redirect("measurement:dhis2_mapping", org_slug=org_slug, community_slug=community_slug)


def preview(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The next pull's rows, as the import check shows them; nothing is written."""
    community = _community_for_mapping(request, community_slug)
    current = selectors.mapping_get(community=community)
    plan, problem = None, ""
    try:
        plan = pulls.plan_pull(mapping=current)
    except Dhis2Error as error:
        problem = error.message
    except crypto.SecretUnreadable:
        problem = _problem("secret_unreadable")
    except Dhis2Connection.DoesNotExist:
        problem = _problem("no_connection")
    return render(
        request,
        "measurement/dhis2/preview.html",
        {"community": community, "mapping": current, "plan": plan, "problem": problem},
    )


@require_POST
def pull(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community_for_mapping(request, community_slug)
    current = selectors.mapping_get(community=community)
    done = pulls.pull_run(actor=request.user, mapping=current)
    if done.error:
        messages.error(request, _problem(done.error))
    elif done.batch_id:
        messages.success(request, _("The pull has been checked: review it and import it."))
        return redirect("measurement:import_detail", org_slug=org_slug, batch_id=done.batch_id)
    else:
        messages.success(request, _("Nothing new or changed on the server."))
    return redirect("measurement:dhis2_mapping", org_slug=org_slug, community_slug=community_slug)


FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "adx": ("application/adx+xml", "xml"),
}


def download(
    request: OrganizationRequest, org_slug: str, community_slug: str, fmt: str
) -> HttpResponse:
    """Approved observations with the mapped identifiers, in one of DHIS2's formats."""
    community = _community_for_mapping(request, community_slug)
    current = selectors.mapping_get(community=community)
    if fmt not in FORMATS:
        raise Http404
    values = exchange.approved_values(mapping=current)
    if fmt == "json":
        import json

        body: str | bytes = json.dumps(
            exchange.data_value_set(values, data_set=current.data_set), indent=1
        )
    elif fmt == "csv":
        body = exchange.data_value_csv(values)
    else:
        body = exchange.adx_document(values, data_set=current.data_set)
    kind, suffix = FORMATS[fmt]
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = (
        f'attachment; filename="{community.slug}-dhis2-approved.{suffix}"'
    )
    return response


@require_http_methods(["GET", "POST"])
def push(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Sending approved data: a dry run first (its import summary shown), then for real."""
    community = _community_for_mapping(request, community_slug)
    current = selectors.mapping_get(community=community)
    summary, problem = None, ""
    action = request.POST.get("action", "")
    dry_run_key = f"dhis2-dry-run-{current.pk}"
    if request.method == "POST" and action == "send" and not request.session.get(dry_run_key):
        problem = _("Make a dry run first.")
    elif request.method == "POST" and action in ("dry_run", "send"):
        try:
            summary = exchange.push(
                actor=request.user, mapping=current, dry_run=action == "dry_run"
            )
            # The real send is offered only after a dry run in this session.
            request.session[dry_run_key] = summary.dry_run
        except ValidationError as error:
            problem = " ".join(error.messages)
        except Dhis2Error as error:
            problem = error.message
        except crypto.SecretUnreadable:
            problem = _problem("secret_unreadable")
    connection_ = selectors.connection_of(organization=request.organization)
    return render(
        request,
        "measurement/dhis2/push.html",
        {
            "community": community,
            "mapping": current,
            "count": len(exchange.approved_values(mapping=current)),
            "enabled": bool(connection_ and connection_.push_enabled),
            "summary": summary,
            "problem": problem,
        },
    )
