"""The CFIR 2.0 and ERIC reference data in the person's language: every name and
definition the migration loads is marked for the catalogs (``reference_messages``), and
pages, the strategy choices, messages, the API and the exports show them translated.

The page tests compile a small catalog of their own (first in ``LOCALE_PATHS``), so they
prove the wiring whatever the project's catalogs hold today; the texts are the ones
given to the catalogs."""

from __future__ import annotations

import gettext
import html
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from evaluation import record, reference_messages, services
from evaluation.models import CfirConstruct, CfirDomain, EricCluster, EricStrategy
from evaluation.tests.helpers import make_barrier_chain

pytestmark = pytest.mark.django_db

STRATEGY = "Conduct cyclical small tests of change"
STRATEGY_DEFINITION = "Try changes on a small scale in repeated PDSA cycles before spreading them."
CONSTRUCT = "Relative Priority"  # III.G, the barrier of make_barrier_chain
CONSTRUCT_DEFINITION = "How important implementing it is compared with other demands."
DOMAIN = "Inner Setting"
CLUSTER = "Use evaluative and iterative strategies"
OTHER_STRATEGY = "Tailor strategies"

TRANSLATIONS = {
    "es": {
        STRATEGY: "Realizar pequeñas pruebas de cambio cíclicas",
        STRATEGY_DEFINITION: (
            "Probar los cambios a pequeña escala en ciclos PDSA repetidos antes de extenderlos."
        ),
        CONSTRUCT: "Prioridad relativa",
        CONSTRUCT_DEFINITION: "Qué importancia tiene implementarla frente a otras demandas.",
        DOMAIN: "Entorno interno",
        CLUSTER: "Usar estrategias evaluativas e iterativas",
        OTHER_STRATEGY: "Ajustar las estrategias",
    },
    "fr": {
        STRATEGY: "Mener de petits tests de changement cycliques",
        STRATEGY_DEFINITION: (
            "Essayer les changements à petite échelle par des cycles PDSA répétés avant de "
            "les étendre."
        ),
        CONSTRUCT: "Priorité relative",
        CONSTRUCT_DEFINITION: "L'importance de sa mise en œuvre par rapport aux autres exigences.",
        DOMAIN: "Contexte interne",
        CLUSTER: "Recourir à des stratégies évaluatives et itératives",
        OTHER_STRATEGY: "Adapter les stratégies",
    },
    "pt": {
        STRATEGY: "Realizar pequenos testes de mudança cíclicos",
        STRATEGY_DEFINITION: (
            "Testar mudanças em pequena escala em ciclos PDSA repetidos antes de ampliá-las."
        ),
        CONSTRUCT: "Prioridade relativa",
        CONSTRUCT_DEFINITION: (
            "Qual a importância de implementá-la em comparação com outras demandas."
        ),
        DOMAIN: "Contexto interno",
        CLUSTER: "Usar estratégias avaliativas e iterativas",
        OTHER_STRATEGY: "Adequar as estratégias",
    },
}


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def reference_catalogs(tmp_path, settings):
    """Compile TRANSLATIONS into catalogs that take precedence over the project's."""
    for language, entries in TRANSLATIONS.items():
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        lines = ['msgid ""', 'msgstr "Content-Type: text/plain; charset=UTF-8\\n"', ""]
        for msgid, msgstr in entries.items():
            lines += [f"msgid {_po_string(msgid)}", f"msgstr {_po_string(msgstr)}", ""]
        (folder / "django.po").write_text("\n".join(lines), encoding="utf-8")
        subprocess.run(
            ["msgfmt", "--check", "-o", str(folder / "django.mo"), str(folder / "django.po")],
            check=True,
        )
    # Changing LOCALE_PATHS drops Django's loaded catalogs (and again when restored).
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    return TRANSLATIONS


def _reference_texts() -> set[str]:
    texts: set[str] = set()
    for model, fields in (
        (CfirDomain, ("name", "definition")),
        (CfirConstruct, ("name", "definition")),
        (EricCluster, ("name",)),
        (EricStrategy, ("name", "definition")),
    ):
        for row in model.objects.values_list(*fields):
            texts.update(row)
    return texts


def test_the_module_marks_exactly_the_names_and_definitions_in_the_database():
    in_database = _reference_texts()
    marked = reference_messages.MESSAGES
    assert sorted(in_database - marked) == [], "names or definitions not marked"
    assert sorted(marked - in_database) == [], "marked texts the database no longer holds"
    # 5 domains x 2, 67 CFIR rows x 2 (5 names repeat), 9 clusters, 73 strategies x 2
    assert len(marked) == 10 + 134 - 5 + 9 + 146


def test_xgettext_extracts_every_message_from_the_module(tmp_path):
    """What ``makemessages`` runs (xgettext with Django's keywords) finds them all."""
    pot = tmp_path / "reference.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=gettext_noop",
            "--output",
            str(pot),
            reference_messages.__file__,
        ],
        check=True,
    )
    # A template's header says charset=CHARSET (makemessages sets it the same way); msgen
    # copies each msgid into its msgstr so the compiled catalog lists every one.
    pot.write_text(pot.read_text("utf-8").replace("charset=CHARSET", "charset=UTF-8"), "utf-8")
    po = tmp_path / "reference.po"
    subprocess.run(["msgen", "--output-file", str(po), str(pot)], check=True)
    mo = tmp_path / "reference.mo"
    subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    assert {key for key in catalog if key} == reference_messages.MESSAGES


def test_the_models_answer_in_the_active_language(reference_catalogs):
    strategy = EricStrategy.objects.select_related("cluster").get(name=STRATEGY)
    construct = CfirConstruct.objects.select_related("domain").get(code="III.G")
    for language, expected in reference_catalogs.items():
        with translation.override(language):
            assert strategy.label == expected[STRATEGY] == str(strategy)
            assert strategy.description == expected[STRATEGY_DEFINITION]
            assert strategy.cluster.label == expected[CLUSTER]
            assert construct.label == expected[CONSTRUCT]
            assert construct.description == expected[CONSTRUCT_DEFINITION]
            assert construct.domain.label == expected[DOMAIN]
    with translation.override("en"):
        assert strategy.label == STRATEGY and construct.description == CONSTRUCT_DEFINITION


@pytest.mark.parametrize("language", ["es", "fr", "pt"])
def test_a_person_sees_the_reference_in_their_language(
    language, world, client_for, reference_catalogs
):
    expected = reference_catalogs[language]
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
    world.convener.language = language
    world.convener.save()
    client = client_for(world.convener)
    kwargs = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}

    def page(name, **extra):
        response = client.get(reverse(f"evaluation:{name}", kwargs={**kwargs, **extra}))
        assert response.status_code == 200, name
        return html.unescape(response.content.decode())

    strategy = page("strategy", choice_id=chain.choice.pk)
    assert expected[STRATEGY] in strategy and expected[STRATEGY_DEFINITION] in strategy
    assert STRATEGY not in strategy

    reference = html.unescape(
        client.get(
            reverse("evaluation:reference", kwargs={"org_slug": world.org_a.slug})
        ).content.decode()
    )
    for key in (STRATEGY, STRATEGY_DEFINITION, CONSTRUCT, CONSTRUCT_DEFINITION, DOMAIN, CLUSTER):
        assert expected[key] in reference, key
    assert f"III.G {CONSTRUCT}" not in reference

    rate = page("cfir_rate", round_id=chain.cfir_round.pk, site_id=world.site_a.pk)
    assert f"III.G {expected[CONSTRUCT]}" in rate
    assert expected[CONSTRUCT_DEFINITION] in rate and expected[DOMAIN] in rate

    barrier = page("barrier", barrier_id=chain.barrier.pk)
    assert expected[CONSTRUCT] in barrier and expected[STRATEGY] in barrier
    assert expected[OTHER_STRATEGY] in barrier  # the strategy choices, grouped by cluster
    assert f'optgroup label="{expected[CLUSTER]}"' in barrier

    round_page = page("cfir_round", round_id=chain.cfir_round.pk)
    assert f"III.G {expected[CONSTRUCT]}" in round_page

    follow = page("follow_through")
    assert expected[CONSTRUCT] in follow and expected[STRATEGY] in follow


def test_the_api_names_follow_the_requesters_language(world, client_for, reference_catalogs):
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
    world.member.language = "pt"
    world.member.save()
    client = client_for(world.member)
    expected = reference_catalogs["pt"]
    base = f"/api/v1/o/{world.org_a.slug}"
    rows = client.get(f"{base}/communities/{world.community_a.slug}/evaluation/follow-through/")
    row = rows.json()[0]
    assert row["construct"] == "III.G" and row["construct_name"] == expected[CONSTRUCT]
    line = row["strategies"][0]
    assert line["strategy"] == expected[STRATEGY] and line["cluster"] == expected[CLUSTER]
    assert line["strategy_number"] == chain.choice.strategy.number == 14

    strategies = client.get(f"{base}/evaluation/eric-strategies/", {"page_size": 100}).json()
    found = [s for s in strategies["results"] if s["number"] == 14]
    assert found == [
        {
            "number": 14,
            "name": expected[STRATEGY],
            "definition": expected[STRATEGY_DEFINITION],
            "cluster": expected[CLUSTER],
        }
    ]
    constructs = client.get(f"{base}/evaluation/cfir-constructs/", {"page_size": 100}).json()
    found = [c for c in constructs["results"] if c["code"] == "III.G"]
    assert found[0]["name"] == expected[CONSTRUCT]
    assert found[0]["domain"] == expected[DOMAIN]
    assert found[0]["definition"] == expected[CONSTRUCT_DEFINITION]


def test_exports_and_messages_use_the_language(world, reference_catalogs):
    expected = reference_catalogs["fr"]
    with scope(organization=world.org_a):
        chain = make_barrier_chain(world)
        with translation.override("fr"):
            csv_text = record.cfir_csv(world.community_a)
            with pytest.raises(ValidationError) as raised:
                services.cfir_ratings_save(
                    actor=world.convener,
                    cfir_round=chain.cfir_round,
                    site=world.site_a,
                    entries=[(chain.barrier.construct, 1, "better now")],
                )
    assert f"{expected[DOMAIN]},III.G,{expected[CONSTRUCT]}," in csv_text
    assert expected[CONSTRUCT] in " ".join(raised.value.messages)
