from django.urls import reverse


def test_smoke(world, dash, client_for):
    client = client_for(world.sponsor)
    org, cs = world.org_a.slug, world.community_a.slug
    kw = {"org_slug": org, "community_slug": cs}
    for name, extra in [
        ("measurement:dashboard_home", {}),
        ("measurement:dashboard_measure", {"measure_id": dash.bundle.pk}),
        ("measurement:dashboard_sites", {"measure_id": dash.bundle.pk}),
        ("measurement:dashboard_equity", {"measure_id": dash.bundle.pk}),
        ("measurement:dashboard_reaim", {}),
        ("measurement:dashboard_vitality", {}),
        ("measurement:dashboard_sponsor", {}),
    ]:
        r = client.get(reverse(name, kwargs=kw | extra))
        assert r.status_code == 200, (name, r.content[:3000])
