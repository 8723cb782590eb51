"""What the API promises on every route, walked like the isolation test walks them:
OPTIONS never fails, and a sponsor (a read-only role) is refused every write with a
403 whatever the body, before the body is even read."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from copcore.tests.test_isolation import _path_values, walk

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")

# Bodies a sponsor might send: none, empty, wrong types everywhere, not JSON at all.
BODIES = {
    "no body": None,
    "empty object": {},
    "wrong types": {
        "title": ["x"],
        "name": 7,
        "role": {"a": 1},
        "user": "nobody",
        "to_phase": 3.5,
        "ratings": "x",
        "answers": [],
        "is_open": "perhaps",
        "response": None,
    },
    "malformed JSON": "{not json",
}

# Writes a sponsor may make, with the reason; each still never answers 5xx.
SPONSOR_MAY_WRITE = {
    "api_me": "the caller's own profile",
    "api_token_obtain": "exchanges the caller's own credentials for a token",
    "api_notifications:preferences": "the caller's own e-mail preferences",
    "api_communities:join": "any member of the organization may join an open CoP",
    "api_communities:join_requests": "any member of the organization may ask to join",
}


def _api_routes(world):
    values = _path_values(world)
    for name, kwargs, _top, _raw in walk():
        if not name or kwargs - values.keys():
            continue
        try:
            url = reverse(name, kwargs={k: values[k] for k in kwargs})
        except NoReverseMatch:
            # allauth's account routes are included through a resolver the walk can
            # credit with the organization's prefix; none of them is an API route.
            continue
        if url.startswith("/api/v1/"):
            yield name, url


def _send(client, method: str, url: str, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def test_options_never_fails_on_any_route(world, client_for):
    convener = client_for(world.convener)
    checked, problems = 0, []
    for name, url in _api_routes(world):
        response = convener.options(url)
        if response.status_code >= 500:
            problems.append(f"OPTIONS {url} ({name}) -> {response.status_code}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 60  # the walk found the API


def test_a_sponsors_write_is_403_whatever_its_body(world, client_for):
    sponsor = client_for(world.sponsor)
    checked, problems = 0, []
    for name, url in _api_routes(world):
        for method in WRITE_METHODS:
            for label, body in BODIES.items():
                response = _send(sponsor, method, url, body)
                status = response.status_code
                if status >= 500:
                    problems.append(f"{method.upper()} {url} ({label}) -> {status}")
                if status == 405 or name in SPONSOR_MAY_WRITE:
                    continue
                checked += 1
                if status != 403:
                    problems.append(f"{method.upper()} {url} ({name}, {label}) -> {status}")
                elif set(response.json()) != {"error"}:
                    problems.append(f"{method.upper()} {url}: 403 without the error shape")
    assert not problems, "\n".join(problems)
    assert checked >= 150  # the walk reached the write endpoints


def test_exemptions_name_real_api_routes():
    names = {name for name, *_rest in walk() if name}
    assert set(SPONSOR_MAY_WRITE) <= names, set(SPONSOR_MAY_WRITE) - names


def test_a_nul_character_in_a_query_string_is_a_400(world, client_for):
    url = f"/api/v1/o/{world.org_a.slug}/knowledge/tests/"
    response = client_for(world.convener).get(url, {"community": "se\x00psis"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
