"""The catalog check: untranslated, fuzzy and plural messages are found; extraction
runs on a copy and compares message ids."""

from __future__ import annotations

from pathlib import Path

from copcore.management.commands import check_messages

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Done"
msgstr "Hecho"

msgid "Not yet"
msgstr ""

#, fuzzy
msgid "Maybe"
msgstr "Quizás"

msgid "%(n)s row"
msgid_plural "%(n)s rows"
msgstr[0] "%(n)s fila"
msgstr[1] ""

#~ msgid "Old"
#~ msgstr ""
"""


def test_untranslated_fuzzy_and_plural_messages_are_reported(tmp_path: Path):
    folder = tmp_path / "app" / "locale" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(PO, encoding="utf-8")
    (tmp_path / ".venv" / "locale" / "yy" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / ".venv" / "locale" / "yy" / "LC_MESSAGES" / "django.po").write_text(PO)
    found = check_messages.catalogs(tmp_path)
    assert found == [folder / "django.po"]  # .venv is never looked at
    assert check_messages.incomplete(found[0]) == [
        "untranslated: 'Not yet'",
        "fuzzy: 'Maybe'",
        "untranslated: '%(n)s row'",
    ]
    assert (None, "Old") not in check_messages.live_keys(found[0])  # obsolete is not live
    assert (None, "Done") in check_messages.live_keys(found[0])


def test_the_projects_catalogs_cover_every_locale_folder():
    from django.conf import settings

    found = check_messages.catalogs(Path(settings.BASE_DIR))
    languages = {path.parts[-3] for path in found}
    assert "es" in languages
    assert {path.parent.parent.parent.parent.name for path in found} >= {"communities"}


RULED_OUT_PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Site"
msgstr "Centro"

msgid "Sites and roles"
msgstr "Sitios y funciones"

msgid "Ask the conveners"
msgstr "Pregunte a las personas\\n"
"coordinadoras"

msgid "Health centre concentration"
msgstr "Concentración del sitio"
"""


def test_words_the_glossary_rules_out_are_reported(tmp_path: Path):
    from django.conf import settings

    from copcore import glossary_rules

    rules = glossary_rules.rules(Path(settings.BASE_DIR) / "docs" / "glossary.md")
    assert ("es", "centro", "sitio") in {(r.language, r.ruled_out, r.use_instead) for r in rules}
    folder = tmp_path / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(RULED_OUT_PO, encoding="utf-8")
    problems = check_messages.ruled_out_words(folder / "django.po", rules)
    assert not any("'Sites and roles'" in p or "Health centre" in p for p in problems)
    assert any("'Site'" in p for p in problems)
    assert any("'Ask the conveners'" in p for p in problems)
    # French and Portuguese catalogs are not held to the Spanish rules.
    fr = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    fr.mkdir(parents=True)
    (fr / "django.po").write_text(RULED_OUT_PO, encoding="utf-8")
    assert check_messages.ruled_out_words(fr / "django.po", rules) == []


def test_the_projects_catalogs_use_one_word_per_glossary_term():
    from django.conf import settings

    from copcore import glossary_rules

    root = Path(settings.BASE_DIR)
    rules = glossary_rules.rules(root / "docs" / "glossary.md")
    problems = [
        line for path in check_messages.catalogs(root)
        for line in check_messages.ruled_out_words(path, rules)
    ]  # fmt: skip
    assert problems == []
