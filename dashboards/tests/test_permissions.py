"""Who may see and do what on the dashboards; notes, remembered chart settings, sponsors'
approved-only view, and the organization's disclosure rule."""

from django.urls import reverse
from django_scopes import scope

from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role
from dashboards.models import ChartNote, DisclosureRule, MeasureChartPreference


def _kw(world, **extra):
    return {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **extra}


def test_org_member_without_a_role_in_the_cop_gets_404(world, dash, client_for):
    stranger = UserFactory(email="stranger@a.example")
    add_member(world.org_a, stranger)
    client = client_for(stranger)
    assert client.get(reverse("dashboards:dashboard_home", kwargs=_kw(world))).status_code == 404
    url = reverse("api_dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    assert client.get(url).status_code == 404


def test_members_annotate_charts_and_the_note_links_back(world, dash, client_for):
    url = reverse("dashboards:dashboard_note_add", kwargs=_kw(world, measure_id=dash.bundle.pk))
    response = client_for(world.member).post(url, {"period": "2023-06-10", "text": "New nurse"})
    assert response.status_code == 302
    with scope(organization=world.org_a):
        note = ChartNote.objects.get(text="New nurse")
    page = client_for(world.member).get(
        reverse("dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    )
    html = page.content.decode()
    assert f'id="note-{note.pk}"' in html
    assert f"#note-{note.pk}" in html  # the annotation links back to the note
    assert "2023-06" in html
    # Sponsors are read-only; another member may not delete someone else's note.
    assert (
        client_for(world.sponsor).post(url, {"period": "2023-06-10", "text": "x"}).status_code
        == 403
    )
    delete = reverse("dashboards:dashboard_note_delete",
                     kwargs=_kw(world, measure_id=dash.bundle.pk, note_id=note.pk))  # fmt: skip
    other = UserFactory(email="other@a.example")
    add_member(world.org_a, other)
    give_role(world.community_a, other, CommunityRole.MEMBER)
    assert client_for(other).post(delete, {"confirmed": "1"}).status_code == 403
    assert client_for(world.member).post(delete, {"confirmed": "1"}).status_code == 302


def test_pdsa_tests_linked_to_the_measure_appear_as_annotations(world, dash, client_for):
    import datetime as dt

    from knowledge.models import TestOfChange

    with scope(organization=world.org_a):
        test = TestOfChange.objects.create(
            organization=world.org_a, community=world.community_a, author=world.member,
            title="Sepsis screen at triage", change_idea="Screen", starts_on=dt.date(2023, 9, 4),
        )  # fmt: skip
        test.measures.add(dash.bundle)
    url = reverse("api_dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    annotations = client_for(world.member).get(url).json()["annotations"]
    assert annotations[0]["title"] == "Sepsis screen at triage"
    assert annotations[0]["period"] == "2023-09"
    assert str(test.pk) in annotations[0]["url"]


def test_chart_type_and_method_are_remembered_per_measure(world, dash, client_for):
    client = client_for(world.member)
    settings = reverse("dashboards:dashboard_measure_settings",
                       kwargs=_kw(world, measure_id=dash.bundle.pk))  # fmt: skip
    assert client.post(settings, {"chart_type": "i", "method": "ihi"}).status_code == 302
    with scope(organization=world.org_a):
        assert MeasureChartPreference.objects.get(user=world.member).method == "ihi"
    url = reverse("api_dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    data = client.get(url).json()
    assert (data["chart"], data["method"]) == ("i", "ihi")
    assert client_for(world.steward).get(url).json()["chart"] == "p"  # the measure's default
    client.post(settings, {"chart_type": "run", "method": "mdc"})  # refused: needs limits
    assert client.get(url).json()["method"] == "ihi"


def test_sponsors_see_approved_data_only(world, dash, client_for):
    url = reverse("api_dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    sponsor = client_for(world.sponsor).get(url).json()["points"]
    steward = client_for(world.steward).get(url).json()["points"]
    assert len(steward) == len(sponsor) + 1  # the submitted month
    assert sponsor[-1]["period"] == "2024-12"
    sponsor_page = client_for(world.sponsor).get(
        reverse("dashboards:dashboard_sponsor", kwargs=_kw(world))
    )
    assert sponsor_page.status_code == 200
    assert "Read-only, approved data only." in sponsor_page.content.decode()


def test_reaim_inputs_need_the_data_steward_role(world, dash, client_for):
    url = reverse("dashboards:dashboard_reaim_inputs", kwargs=_kw(world))
    assert client_for(world.member).get(url).status_code == 403
    assert client_for(world.sponsor).post(url, {"action": "profile"}).status_code == 403
    response = client_for(world.steward).post(
        url, {"action": "profile", "profile-eligible_population": "900",
              "profile-sites_invited": "5"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client_for(world.member).get(reverse("dashboards:dashboard_reaim", kwargs=_kw(world)))
    assert "900" in page.content.decode()


def test_disclosure_rule_is_set_by_org_admins(world, client_for):
    url = reverse("dashboards:dashboard_disclosure", kwargs={"org_slug": world.org_a.slug})
    assert client_for(world.member).get(url).status_code == 403
    data = {"mode": "threshold", "small_max": "9", "rounding_base": "5",
            "secondary_suppression": "on"}  # fmt: skip
    assert client_for(world.convener).post(url, data).status_code == 302
    with scope(organization=world.org_a):
        assert DisclosureRule.objects.get(organization=world.org_a).small_max == 9
    api = reverse("api_dashboards:dashboard_disclosure_rule", kwargs={"org_slug": world.org_a.slug})
    assert client_for(world.member).get(api).json()["mode"] == "threshold"
    assert (
        client_for(world.member)
        .patch(api, {"small_max": 4}, content_type="application/json")
        .status_code
        == 403
    )
    response = client_for(world.convener).patch(api, {"small_max": 10, "mode": "round"},
                                                content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["small_max"] == 10


def test_the_index_lists_the_cops_whose_data_you_can_see(world, client_for):
    url = reverse("dashboards:dashboard_index", kwargs={"org_slug": world.org_a.slug})
    html = client_for(world.sponsor).get(url).content.decode()
    assert world.community_a.name in html
    assert "Your sponsor view" in html
    stranger = UserFactory(email="nobody@a.example")
    add_member(world.org_a, stranger)
    html = client_for(stranger).get(url).content.decode()
    assert world.community_a.name not in html
