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
