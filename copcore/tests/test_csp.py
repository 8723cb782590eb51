"""The Content-Security-Policy: strict on every page, and the Swagger UI still works
under it (its start-up script is a file; only its styles and data: images are let in)."""

from __future__ import annotations

import pytest
from django.test import Client

from copcore.tests.test_hostile_text import csp_problems, page_problems


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_the_strict_policy(world, client_for):
    for client, path in [(Client(), "/accounts/login/"), (client_for(world.member), "/")]:
        response = client.get(path, follow=True)
        assert response.status_code == 200
        assert csp_problems(response) == []
        policy = directives(response)
        assert policy["style-src"] == ["'self'"] and policy["img-src"] == ["'self'"]
        assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


@pytest.mark.django_db
def test_swagger_ui_has_no_inline_script_and_a_policy_of_its_own():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert csp_problems(response) == []
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # Swagger UI's own styles
    problems = page_problems(response.content.decode())
    assert problems == [  # its inline <style> (allowed here only) and its start-up file
        "<style> element",
        "<script> not from our static files: {'src': '/api/docs/?script='}",
    ]
    script = Client().get("/api/docs/?script")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_draws_the_operations_under_the_policy(browser_page):
    violations: list[str] = []
    browser_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    browser_page.goto("/api/docs/")
    browser_page.wait_for_selector(".opblock", timeout=20_000)
    assert "/api/v1/me/" in browser_page.inner_text("body")
    assert violations == []
