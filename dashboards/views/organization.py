"""Organization-wide dashboard pages: the list of CoP dashboards a person may see and
the organization's disclosure rule (org admins only).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from copcore.http import OrganizationRequest
from copcore.permissions import OrgRole
from dashboards import selectors, services
from dashboards.forms import (
    DisclosureRuleForm,
)


@require_GET
def dashboards_index(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """The CoPs whose data the person may see, with links to their dashboards."""
    rows = [
        {"community": community, "read_only": read_only}
        for community, read_only in selectors.viewable_communities(
            user=request.user, organization=request.organization
        )
    ]
    from dashboards.selectors.portfolio import may_see_portfolio

    portfolio = may_see_portfolio(
        user=request.user,
        organization=request.organization,
        org_role=request.membership.role if request.membership else None,
    )
    return render(request, "dashboards/index.html", {"rows": rows, "portfolio": portfolio})


@require_http_methods(["GET", "POST"])
def disclosure_settings(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """The organization's disclosure rule: org admins only."""
    if request.membership.role != OrgRole.ADMIN:
        raise PermissionDenied
    instance = selectors.disclosure_rule_get(organization=request.organization)
    form = DisclosureRuleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.disclosure_rule_save(
            actor=request.user, organization=request.organization, **form.cleaned_data
        )
        messages.success(request, _("The disclosure rule is saved and applies everywhere now."))
        return redirect("dashboards:dashboard_disclosure", org_slug=org_slug)
    return render(request, "dashboards/disclosure.html", {"form": form})
