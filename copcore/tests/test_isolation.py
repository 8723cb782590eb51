"""The generic isolation test: every route, called by an outsider and by an anonymous visitor.

It walks the whole URL configuration, fills path parameters from organization A's
objects, and calls each route as organization B's user and as nobody. Pages must
answer 404 (outsider) or the login redirect (anonymous); API routes 404 or 401.
A new route is covered automatically; one the walker cannot fill fails the test
until a value is added to PATH_VALUES or it is exempted below with a reason.
"""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from communities.models import CommunityRoleAssignment

pytestmark = pytest.mark.django_db

APPS = [
    "copcore",
    "communities",
    "knowledge",
    "measurement",
    "dashboards",
    "sessions",
    "evaluation",
    "notifications",
]

# Routes outside any organization: none shows tenant data to an outsider.
EXEMPT = {
    "home": "lists only the signed-in person's own organizations",
    "healthz": "service health for load balancers; no tenant data",
    "profile": "the caller's own profile",
    "api_token": "the caller's own API token",
    "privacy": "the caller's own data",
    "privacy_download": "the caller's own data",
    "privacy_erase": "erases the caller's own account",
    "invitation_accept": "guarded by a signed, expiring token (tested in test_accounts)",
    "set_language": "sets the caller's language cookie",
    "api_me": "the caller's own profile",
    "api_organizations": "lists only the caller's own organizations",
    "api_token_obtain": "exchanges the caller's own credentials for a token",
    "api_schema": "public API description, no data",
    "api_docs": "public API documentation, no data",
    "public_knowledge:asset": "public assets only, by design; other ids 404 (knowledge tests)",
    "public_knowledge:asset_file": "files of public assets only; other ids 404 (knowledge tests)",
    "calendar:feed": "guarded by a secret, revocable token; calendar clients cannot log in",
    "unsubscribe:unsubscribe": "guarded by a signed token; one-click unsubscribe needs no login",
}
EXEMPT_NAMESPACES = {"admin": "Django admin: superusers only, behind its own login"}
# django-allauth's pages (copcore/urls.py mounts them under /accounts/): each is public
# (log in, password reset by signed key, provider callbacks guarded by a one-time state)
# or acts on the caller's own account (password, email, second factor, sign-out).
EXEMPT_PREFIXES = {
    "account_": "allauth: the caller's own account or a public sign-in page",
    "mfa_": "allauth: the caller's own second factor",
    "socialaccount_": "allauth: the caller's own provider links or the public sign-in flow",
    "openid_connect_": "allauth: provider redirect and callback, guarded by a one-time state",
    "cop_oidc_": "the same provider redirect and callback, with strict ID-token checks",
    "cop_mfa_": "allauth's second-factor set-up (the caller's own), under a wider img-src",
}


def _path_values(world) -> dict[str, str]:
    """Values for every path parameter, all taken from organization A.

    Each app may add its own in ``<app>/tests/isolation.py``: a function
    ``path_values(world) -> dict[str, str]`` that creates what it needs in org A.
    """
    with scopes_disabled():
        assignment = CommunityRoleAssignment.objects.filter(community=world.community_a).first()
    values = {
        "org_slug": world.org_a.slug,
        "community_slug": world.community_a.slug,
        "assignment_id": str(assignment.pk),
        "site_id": str(world.site_a.pk),
        "user_id": str(world.member.pk),
    }
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.tests.isolation")
        except ModuleNotFoundError as error:
            if not f"{app}.tests.isolation".startswith(error.name or "-"):
                raise
            continue
        with scopes_disabled():
            values.update({k: str(v) for k, v in module.path_values(world).items()})
    return values


def walk(patterns=None, namespace="", prefix_kwargs=frozenset()):
    """Yield (qualified name, kwarg names, top namespace, raw pattern) for every route."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        kwargs = set(prefix_kwargs) | set(_kwarg_names(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from walk(entry.url_patterns, ns, frozenset(kwargs))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, kwargs, namespace.split(":")[0] or None, str(entry.pattern)


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def test_every_route_is_closed_to_outsiders_and_anonymous(world, client_for):
    values = _path_values(world)
    outsider = client_for(world.outsider)
    anonymous = Client()
    checked, problems = 0, []
    for name, kwargs, top_namespace, raw in walk():
        if top_namespace in EXEMPT_NAMESPACES or name in EXEMPT:
            continue
        if name and name.startswith(tuple(EXEMPT_PREFIXES)):
            continue
        if name is None and raw.startswith("social/"):
            continue  # allauth's unnamed legacy aliases of its socialaccount_* pages
        if name is None:
            problems.append(f"unnamed route {raw!r}: name it so it can be checked")
            continue
        missing = kwargs - values.keys()
        if missing:
            problems.append(f"{name}: no test value for {sorted(missing)}; add it to PATH_VALUES")
            continue
        url = reverse(name, kwargs={k: values[k] for k in kwargs})
        is_api = url.startswith("/api/")
        for method in ("get", "post"):
            response = getattr(outsider, method)(url)
            if response.status_code != 404:
                problems.append(f"outsider {method.upper()} {url} -> {response.status_code}")
            response = getattr(anonymous, method)(url)
            expected_ok = (
                response.status_code == 401
                if is_api
                else response.status_code == 302
                and response["Location"].startswith("/accounts/login/")
            )
            if not expected_ok:
                problems.append(f"anonymous {method.upper()} {url} -> {response.status_code}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 8  # the walk really found the tenant routes


def test_exemptions_name_real_routes():
    names = {name for name, *_rest in walk() if name}
    assert set(EXEMPT) <= names, set(EXEMPT) - names
