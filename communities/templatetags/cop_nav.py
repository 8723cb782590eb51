"""The navigation of a CoP: at most seven top-level entries, each with its pages as a
tabbed sub-navigation on the pages of that group.

``{% cop_nav community %}`` works on every page about a CoP, whatever app renders it:
the entry and tab of the current page come from the resolved URL, and which entries a
person sees from their permissions on the CoP (read once per request; django-guardian
keeps them). Permission-dependent entries stay permission-dependent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities import selectors
from communities.permissions import CommunityPermission as P
from measurement.permissions import MeasurementPermission as M

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from communities.models import Community
    from copcore.http import OrganizationRequest
    from copcore.models import User

register = template.Library()

# Context keys the measurement and dashboard views already hold; when present they win
# (the designated data lead may approve without the role permission).
MEASUREMENT_RIGHTS = ("can_view", "can_submit", "can_approve")


@dataclass(frozen=True)
class Tab:
    """One page of a group: its URL name, label, who sees it and the pages it covers."""

    name: str  # "namespace:url_name"
    label: StrOrPromise
    needs: tuple[str, ...] = ()  # any one of these (perm names or measurement rights)
    covers: frozenset[str] = field(default_factory=frozenset)  # other url names
    org_level: bool = False  # the URL takes the organization only


def _tabs(*tabs: Tab) -> tuple[Tab, ...]:
    return tabs


class NavLink(TypedDict):
    """A top-level entry of the navigation, as the template reads it."""

    label: StrOrPromise
    url: str
    current: bool


class NavTab(TypedDict):
    """A tab of the current group; ``current`` is the value of its ``aria-current``."""

    label: StrOrPromise
    url: str
    current: str


# (key, label, any one of these permissions or rights, tabs)
Group = tuple[str, "StrOrPromise", tuple[str, ...], tuple[Tab, ...]]

GROUPS: tuple[Group, ...] = (
    (
        "overview",
        _("Overview"),
        (),
        _tabs(
            Tab("communities:detail", _("What needs me"), covers=frozenset({"join"})),
            Tab(
                "communities:design_checklist",
                _("Design"),
                covers=frozenset({"design_step"}),
            ),
            Tab("communities:phase", _("Phase and timeline")),
            Tab(
                "communities:charter",
                _("Charter"),
                covers=frozenset({"charter_version", "charter_compare", "charter_edit"}),
            ),
            Tab(
                "communities:members",
                _("Members"),
                needs=(P.VIEW_DISCUSSIONS,),
                covers=frozenset({"member_profile"}),
            ),
        ),
    ),
    (
        "discussions",
        _("Discussions"),
        (P.VIEW_DISCUSSIONS,),
        _tabs(
            Tab(
                "communities:workstreams",
                _("Workstreams"),
                covers=frozenset(
                    {
                        "workstream_create",
                        "workstream_detail",
                        "thread_detail",
                        "thread_close",
                        "post_edit",
                        "post_history",
                        "post_flag",
                    }
                ),
            ),
            Tab(
                "communities:escalations",
                _("Escalations"),
                covers=frozenset({"escalation_detail"}),
            ),
            Tab(
                "communities:moderation",
                _("Moderation queue"),
                needs=(P.MODERATE,),
                covers=frozenset({"flag_resolve"}),
            ),
        ),
    ),
    ("knowledge", _("Knowledge"), (), ()),
    (
        "sessions",
        _("Sessions"),
        (),
        _tabs(
            Tab(
                "sessions:session_list",
                _("Sessions"),
                covers=frozenset(
                    {
                        "session_detail",
                        "session_create",
                        "session_edit",
                        "series_create",
                        "series_detail",
                        "attendance_record",
                        "breakouts",
                        "case_create",
                        "case_edit",
                        "poll_create",
                        "poll_results",
                    }
                ),
            ),
            Tab("sessions:community_actions", _("Action items")),
            Tab("sessions:my_actions", _("My action items"), org_level=True),
            Tab("sessions:my_swaps", _("Swap requests for me"), org_level=True),
            Tab("sessions:calendar_settings", _("Calendar feed"), org_level=True),
        ),
    ),
    (
        "data",
        _("Data"),
        (),
        _tabs(
            Tab(
                "dashboards:dashboard_home",
                _("Dashboard"),
                covers=frozenset(
                    {
                        "dashboard_measure",
                        "dashboard_sites",
                        "dashboard_equity",
                        "dashboard_disclosure",
                    }
                ),
            ),
            Tab("dashboards:dashboard_reaim", _("RE-AIM one-pager")),
            Tab("dashboards:dashboard_vitality", _("Vitality")),
            Tab("dashboards:dashboard_sponsor", _("Sponsor view")),
            Tab(
                "measurement:community",
                _("Measures and sites"),
                covers=frozenset(
                    {"measure_detail", "measure_create", "measure_edit", "enrolments", "policy"}
                ),
            ),
            Tab("measurement:observations", _("Data entered"), needs=("can_view",)),
            Tab(
                "measurement:due",
                _("Due and missing"),
                needs=("can_submit", "can_approve"),
                covers=frozenset({"site_due", "entry"}),
            ),
            Tab(
                "measurement:imports",
                _("Upload"),
                needs=("can_submit",),
                covers=frozenset({"import_detail"}),
            ),
            Tab(
                "measurement:dhis2_mapping",
                _("DHIS2"),
                needs=("can_submit",),
                covers=frozenset({"dhis2_preview", "dhis2_push"}),
            ),
            Tab("measurement:review", _("Review"), needs=("can_approve",)),
        ),
    ),
    (
        "evaluation",
        _("Evaluation"),
        (),
        _tabs(
            Tab("evaluation:home", _("Evaluation"), covers=frozenset({"reference"})),
            Tab(
                "evaluation:cfir_rounds",
                _("CFIR assessments"),
                covers=frozenset(
                    {"cfir_round", "cfir_round_new", "cfir_rate", "barrier", "strategy"}
                ),
            ),
            Tab("evaluation:follow_through", _("Follow-through")),
            Tab(
                "evaluation:surveys",
                _("Surveys and NoMAD"),
                covers=frozenset({"survey", "survey_new", "survey_respond", "survey_results"}),
            ),
            Tab(
                "evaluation:conclusion",
                _("Conclusion"),
                covers=frozenset({"communications", "communication_edit"}),
            ),
        ),
    ),
    (
        "settings",
        _("Settings"),
        (),
        _tabs(
            Tab(
                "communities:roles",
                _("Roles"),
                covers=frozenset({"role_change", "role_end"}),
            ),
            Tab("communities:role_assign", _("Assign a role"), needs=(P.MANAGE_ROLES,)),
            Tab(
                "communities:join_requests",
                _("Join requests"),
                needs=(P.MANAGE_MEMBERS,),
                covers=frozenset({"join_request_decide"}),
            ),
            Tab("communities:invitations", _("Invitations"), needs=(P.MANAGE_MEMBERS,)),
            Tab("communities:tags", _("Tags"), needs=(P.VIEW_DISCUSSIONS,)),
            Tab("measurement:policy", _("Data policy"), needs=(M.APPROVE_DATA,)),
            Tab(
                "dashboards:dashboard_reaim_inputs",
                _("RE-AIM inputs and costs"),
                needs=(M.MANAGE_MEASURES,),
            ),
        ),
    ),
)


def _rights(context: Context, user: User, community: Community) -> frozenset[str]:
    """The person's community permissions plus the measurement rights of the page."""
    known = getattr(community, "nav_permissions", None)  # set by the dashboards' cache
    if known is None:
        membership = getattr(context.get("request"), "membership", None)
        known = selectors.community_permissions(
            user=user, community=community, org_role=membership.role if membership else None
        )
    perms = set(known)
    for key in MEASUREMENT_RIGHTS:
        if key in context and context[key]:
            perms.add(key)
    if "can_view" not in context and (perms & {M.VIEW_DATA, M.SUBMIT_DATA, M.APPROVE_DATA}):
        perms.add("can_view")
    if "can_submit" not in context and M.SUBMIT_DATA in perms:
        perms.add("can_submit")
    if "can_approve" not in context and M.APPROVE_DATA in perms:
        perms.add("can_approve")
    return frozenset(perms)


def _current_group(namespace: str, url_name: str) -> str:
    if namespace == "measurement" and url_name not in ("policy", "dashboard_reaim_inputs"):
        return "data"
    if namespace in ("sessions", "evaluation", "knowledge"):
        return namespace
    for key, _label, _needs, tabs in GROUPS:
        for tab in tabs:
            if tab.name == f"{namespace}:{url_name}" or (
                tab.name.startswith(f"{namespace}:") and url_name in tab.covers
            ):
                return key
    return "overview"


@register.inclusion_tag("communities/_cop_nav.html", takes_context=True)
def cop_nav(context: Context, community: Community, show_tabs: bool = True) -> dict[str, Any]:
    """The CoP header, its top-level entries and the current group's tabs."""
    # Rendered on pages under /o/<org_slug>/ only, behind the tenancy middleware.
    request: OrganizationRequest = context["request"]
    match = request.resolver_match
    namespace = match.namespace if match else ""
    url_name = (match.url_name if match else None) or ""  # unnamed URLs have None
    here = f"{namespace}:{url_name}"
    rights = _rights(context, request.user, community)
    org = request.organization.slug
    current = _current_group(namespace, url_name)

    def allowed(needs: tuple[str, ...]) -> bool:
        return not needs or any(n in rights for n in needs)

    def href(tab: Tab) -> str:
        if tab.org_level:
            return reverse(tab.name, kwargs={"org_slug": org})
        return reverse(tab.name, kwargs={"org_slug": org, "community_slug": community.slug})

    entries: list[NavLink] = []
    sub_tabs: list[NavTab] = []
    for key, label, needs, tabs in GROUPS:
        if not allowed(needs):
            continue
        visible = [t for t in tabs if allowed(t.needs)]
        if key == "knowledge":
            url = reverse("knowledge:asset_list", kwargs={"org_slug": org})
            url += "?" + urlencode({"community": community.pk})
        elif visible:
            url = href(visible[0])
        else:
            continue
        entries.append({"label": label, "url": url, "current": key == current})
        if key == current:
            for tab in visible:
                exact = tab.name == here
                covered = tab.name.split(":")[0] == namespace and url_name in tab.covers
                sub_tabs.append(
                    {
                        "label": tab.label,
                        "url": href(tab),
                        "current": "page" if exact else ("true" if covered else ""),
                    }
                )
    current_label: StrOrPromise = next((e["label"] for e in entries if e["current"]), "")
    return {
        "community": community,
        "entries": entries,
        "sub_tabs": sub_tabs if show_tabs and len(sub_tabs) > 1 else [],
        "current_label": current_label,
        "current_organization": request.organization,
    }
