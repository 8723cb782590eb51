"""A community's short name for links is a code: it may not begin with a character a
spreadsheet reads as a formula (slugs travel in exports)."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from communities.models import Community
from communities.services import community_create

pytestmark = pytest.mark.django_db


def test_create_page_refuses_a_slug_beginning_with_a_hyphen(world, client_for):
    response = client_for(world.convener).post(
        "/o/network-a/communities/new/", {"name": "Maternity", "slug": "-maternity"}
    )
    assert response.status_code == 200
    assert "cannot begin with =, +, -, @ or a space" in response.content.decode()
    with scope(organization=world.org_a):
        assert not Community.objects.filter(name="Maternity").exists()


def test_service_refuses_a_formula_slug(world):
    with scope(organization=world.org_a), pytest.raises(ValidationError) as error:
        community_create(actor=world.convener, organization=world.org_a, name="X", slug="-x")
    assert "slug" in error.value.message_dict
