"""The four languages: the menu, pt-pt falling back to pt, the profile deciding pages,
and emails (reminders) in the person's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from notifications import services as notification_services
from notifications.tests.helpers import make_content

pytestmark = pytest.mark.django_db


def test_the_menu_offers_the_four_languages_each_in_its_own_name(world, client_for):
    html = client_for(world.member).get("/o/network-a/").content.decode()
    for code, name in (("en", "English"), ("es", "Español"), ("fr", "Français"),
                       ("pt", "Português")):  # fmt: skip
        assert f'<option value="{code}"' in html
        assert f'lang="{code}">{name}</option>' in html


def test_pt_pt_falls_back_to_pt(world, client_for):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="pt-PT,pt;q=0.9")
    assert '<html lang="pt">' in anonymous.get("/accounts/login/").content.decode()
    cookie = Client()
    cookie.cookies["django_language"] = "pt-pt"
    assert '<html lang="pt">' in cookie.get("/accounts/login/").content.decode()
    world.member.language = "pt-pt"  # e.g. set through the API or admin
    world.member.save()
    html = client_for(world.member).get("/o/network-a/").content.decode()
    assert '<html lang="pt">' in html


def test_the_profile_decides_over_an_old_cookie(world, client_for):
    client = client_for(world.member)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/o/network-a/"})
    assert '<html lang="fr">' in client.get("/o/network-a/").content.decode()
    # Changed elsewhere (another device, the profile page): the profile wins.
    world.member.language = "es"
    world.member.save()
    assert '<html lang="es">' in client.get("/o/network-a/").content.decode()


def test_reminders_are_written_and_labelled_in_the_persons_language(world):
    content = make_content(world)
    world.member.language = "es"
    world.member.save()
    session = content["session"]
    now = session.starts_at - dt.timedelta(hours=23, minutes=30)
    for kind, pairs in notification_services.reminders_due(now=now).items():
        notification_services.reminders_send(kind=kind, pairs=pairs, now=now)
    sent = [m for m in mail.outbox if m.to == ["member@a.example"]]
    assert sent and all(m.extra_headers["Content-Language"] == "es" for m in sent)
