"""Path values for the generic isolation test: organization A's identity provider."""

from __future__ import annotations

from django_scopes import scope

from copcore.sso.services import identity_provider_save


def path_values(world) -> dict[str, str]:
    with scope(organization=world.org_a):
        provider = identity_provider_save(
            actor=world.convener,
            organization=world.org_a,
            provider=None,
            name="Network A sign-in",
            discovery_url="http://127.0.0.1:9/",
            client_id="network-a",
            client_secret="s3cret",
            email_domains=["a.example"],
            is_enabled=False,
            require_sso=False,
            break_glass_user=None,
        )
    return {"idp_id": str(provider.pk)}
