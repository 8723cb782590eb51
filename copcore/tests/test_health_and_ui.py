"""Health endpoint, base layout accessibility, translations and error pages."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_service():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True}
    assert body["cache"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_base_layout_landmarks_and_skip_link(world, client_for):
    html = client_for(world.member).get("/o/network-a/").content.decode()
    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert '<main id="main"' in html
    assert "<header" in html and "<nav aria-label=" in html and "<footer" in html
    assert '<label for="language-select">' in html
    assert '<html lang="en">' in html


def test_every_visible_input_on_forms_has_a_label(world, client_for):
    client = client_for(world.convener)
    for url in ["/accounts/profile/", "/o/network-a/members/", "/o/network-a/communities/new/"]:
        html = client.get(url).content.decode()
        inputs = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html)
        for input_id in inputs:
            assert f'for="{input_id}"' in html, (url, input_id)


def test_language_switcher_saves_preference(world, client_for):
    client = client_for(world.member)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/o/network-a/"})
    assert response.status_code == 302
    world.member.refresh_from_db()
    assert world.member.language == "es"
    html = client.get("/o/network-a/").content.decode()
    assert '<html lang="es">' in html
    assert "Saltar al contenido principal" in html
    assert "Comunidades de práctica" in html  # from our own catalog


def test_error_pages_are_styled_and_translated(world, client_for):
    client = client_for(world.member)
    not_found = client.get("/o/network-a/communities/missing/")
    assert not_found.status_code == 404
    assert b"Page not found" in not_found.content and b"/static/css/app.css" in not_found.content
    forbidden = client.get("/o/network-a/audit/")
    assert forbidden.status_code == 403 and b"Not allowed" in forbidden.content
    client.post("/i18n/setlang/", {"language": "es"})
    spanish = client.get("/o/network-a/communities/missing/")
    assert "Aquí no hay nada, o no tiene acceso" in spanish.content.decode()


def test_server_error_page(world, rf):
    from django.utils import translation

    from copcore.views import server_error

    translation.activate("en")
    page = server_error(rf.get("/o/network-a/"))
    assert page.status_code == 500 and b"Something went wrong" in page.content
    api = server_error(rf.get("/api/v1/me/"))
    assert api.status_code == 500 and b'"code": "server_error"' in api.content
