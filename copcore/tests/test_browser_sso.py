"""A browser signs in through an organization's OpenID Connect provider running on
127.0.0.1: log-in page (address, empty password), the provider, back to the platform,
signed in as a new member of that organization."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from copcore.models import OrganizationMembership, User
from copcore.sso.services import identity_provider_save
from copcore.tests import oidc_provider as op

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(world):
    running = op.RunningProvider("network-a-client", "secret-a")
    with scope(organization=world.org_a):
        identity_provider_save(
            actor=world.convener,
            organization=world.org_a,
            provider=None,
            name="Network A staff account",
            discovery_url=running.app.base_url,
            client_id="network-a-client",
            client_secret="secret-a",
            email_domains=["a.example"],
            is_enabled=True,
            require_sso=False,
            break_glass_user=None,
        )
    yield running.app
    running.stop()


def test_new_person_signs_in_through_the_organizations_provider(world, provider, browser_page):
    provider.subject = {
        "sub": "nia-1",
        "email": "nia.nurse@a.example",
        "email_verified": True,
        "name": "Nia Nurse",
    }
    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("nia.nurse@a.example")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/o/network-a/**")
    assert "Network A" in page.inner_text("header")
    user = User.objects.get(email="nia.nurse@a.example")
    with scopes_disabled():
        assert OrganizationMembership.objects.get(user=user).organization == world.org_a
