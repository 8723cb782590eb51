"""API: authentication, the one error shape, pagination, schema and offline docs."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from copcore.testing import PASSWORD, UserFactory, add_member, steady_query_count

pytestmark = pytest.mark.django_db


def test_me_and_update(world, client_for):
    client = client_for(world.member)
    me = client.get("/api/v1/me/").json()
    assert me["email"] == "member@a.example" and me["display_name"] == "Manu Member"
    response = client.patch(
        "/api/v1/me/", {"time_zone": "America/Lima"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["time_zone"] == "America/Lima"


def test_validation_error_has_the_one_shape(world, client_for):
    response = client_for(world.member).patch(
        "/api/v1/me/", {"time_zone": "Nowhere/Land"}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "invalid"
    assert "time_zone" in body["error"]["fields"]
    assert body["error"]["message"]


def test_malformed_json_is_a_400_not_a_500(world, client_for):
    response = client_for(world.member).patch(
        "/api/v1/me/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_unknown_api_path_is_a_json_404(world, client_for):
    response = client_for(world.member).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_organizations_lists_only_mine_with_role(world, client_for):
    add_member(world.org_b, world.member)
    body = client_for(world.member).get("/api/v1/organizations/").json()
    assert body["count"] == 2
    assert {(o["slug"], o["role"]) for o in body["results"]} == {
        ("network-a", "member"),
        ("network-b", "member"),
    }


def test_members_list_is_paginated_with_constant_queries(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.convener)
    body = client.get("/api/v1/o/network-a/members/", {"page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    for _ in range(30):
        add_member(world.org_a, UserFactory())
    with django_assert_num_queries(steady_query_count(client, "/api/v1/o/network-a/members/")):
        response = client.get("/api/v1/o/network-a/members/")
    assert response.json()["count"] == 34


def test_members_filter_by_role(world, client_for):
    body = client_for(world.member).get("/api/v1/o/network-a/members/", {"role": "admin"}).json()
    assert [m["user"]["email"] for m in body["results"]] == ["convener@a.example"]


def test_token_authentication(world):
    obtain = Client().post(
        "/api/v1/auth/token/", {"username": "member@a.example", "password": PASSWORD}
    )
    assert obtain.status_code == 200
    token = obtain.json()["token"]
    assert Token.objects.get(user=world.member).key == token
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/o/network-a/members/").status_code == 200
    assert client.get("/api/v1/o/network-b/members/").status_code == 404


def test_bad_token_is_401_with_the_shape(world):
    response = Client(HTTP_AUTHORIZATION="Token nope").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_wrong_credentials_for_token(world):
    response = Client().post(
        "/api/v1/auth/token/", {"username": "member@a.example", "password": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_member_lacking_role_gets_403_with_the_shape(world, client_for):
    response = client_for(world.member).post(
        "/api/v1/o/network-a/communities/sepsis/roles/",
        {"user": world.member.pk, "role": "moderator"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_convener_assigns_role_via_api_and_bad_input_is_400(world, client_for):
    client = client_for(world.convener)
    url = "/api/v1/o/network-a/communities/sepsis/roles/"
    created = client.post(
        url, {"user": world.member.pk, "role": "moderator"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["role"] == "moderator"
    foreign = client.post(
        url, {"user": world.outsider.pk, "role": "member"}, content_type="application/json"
    )
    assert foreign.status_code == 400 and "user" in foreign.json()["error"]["fields"]
    inverted = client.post(
        url,
        {
            "user": world.member.pk,
            "role": "member",
            "starts_on": "2026-05-02",
            "ends_on": "2026-05-01",
        },
        content_type="application/json",
    )
    assert inverted.status_code == 400 and "ends_on" in inverted.json()["error"]["fields"]


def test_schema_and_offline_docs(world, client_for):
    schema = Client().get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/o/{org_slug}/members/" in schema.content
    docs = Client().get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html
