"""Figures, shares and moments in templates go through the one localisation layer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

MOMENT = dt.datetime(2026, 12, 8, 14, 0, tzinfo=dt.UTC)


def render(text: str, language: str, **context) -> str:
    with translation.override(language), timezone.override("Europe/Madrid"):
        return Template("{% load cop_l10n %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "share", "number", "long", "short"),
    [
        ("en", "85%", "1,234.50", "Tuesday, 8 December 2026, 15:00", "8 Dec 2026, 15:00"),
        ("es", "85\xa0%", "1.234,50", "martes, 8 de diciembre de 2026, 15:00", "8 dic 2026, 15:00"),
        ("fr", "85\xa0%", "1\u202f234,50", "mardi 8 décembre 2026, 15:00", "8 déc. 2026, 15:00"),
        (
            "pt",
            "85%",
            "1.234,50",
            "terça-feira, 8 de dezembro de 2026, 15:00",
            "8 de dez. de 2026, 15:00",
        ),
    ],
)
def test_each_language_writes_figures_and_moments_its_own_way(language, share, number, long, short):
    assert render("{{ p|local_percent }}", language, p=85) == share
    assert render("{{ n|local_number:2 }}", language, n=1234.5) == number
    # In the active time zone (Madrid is UTC+1 in December), never in UTC.
    assert render("{{ m|local_when }}", language, m=MOMENT) == long
    assert render("{{ m|local_when_short }}", language, m=MOMENT) == short


def test_missing_values_show_nothing():
    assert render("[{{ p|local_percent }}|{{ n|local_number }}|{{ m|local_when }}]", "en") == "[||]"
