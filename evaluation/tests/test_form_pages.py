"""Starting a CFIR round and creating a survey have pages of their own; the lists no
longer carry the forms, and the lists' old POST addresses still create."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation.models import CfirRound, Survey

pytestmark = pytest.mark.django_db


def _page(world, name: str) -> str:
    return reverse(
        f"evaluation:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )


def test_lists_link_to_the_form_pages_instead_of_holding_the_forms(world, client_for):
    client = client_for(world.convener)
    rounds = client.get(_page(world, "cfir_rounds")).content.decode()
    assert _page(world, "cfir_round_new") in rounds and 'name="held_on"' not in rounds
    surveys = client.get(_page(world, "surveys")).content.decode()
    assert _page(world, "survey_new") in surveys and 'name="purpose"' not in surveys
    assert client.get(_page(world, "cfir_round_new")).status_code == 200
    assert 'name="purpose"' in client.get(_page(world, "survey_new")).content.decode()


def test_new_pages_and_old_addresses_both_create(world, client_for):
    client = client_for(world.convener)
    today = timezone.localdate().isoformat()
    for url in (_page(world, "cfir_round_new"), _page(world, "cfir_rounds")):
        assert client.post(url, {"title": f"R {url}", "held_on": today}).status_code == 302
    for url in (_page(world, "survey_new"), _page(world, "surveys")):
        assert client.post(url, {"title": f"S {url}", "purpose": "periodic"}).status_code == 302
    with scope(organization=world.org_a):
        assert CfirRound.objects.filter(community=world.community_a).count() == 2
        assert Survey.objects.filter(community=world.community_a).count() == 2


def test_form_pages_are_403_without_the_right(world, client_for):
    client = client_for(world.member)
    assert client.get(_page(world, "cfir_round_new")).status_code == 403
    assert client.get(_page(world, "survey_new")).status_code == 403
