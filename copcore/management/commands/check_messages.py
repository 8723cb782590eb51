"""Fail when a translation catalog is incomplete, so no English string lands alone.

Two checks, over every catalog of the project (``locale/<lang>/`` and each app's
``<app>/locale/<lang>/``, for every language folder there is: es, fr, pt, ...):

1. every message of every ``.po`` file is translated (each plural form too), none
   is fuzzy, and none uses a word ``docs/glossary.md`` rules out for its language;
2. ``makemessages`` would add nothing: the tree is copied to a temporary folder,
   ``makemessages`` runs there exactly as ``make messages`` does (``--all
   --ignore=.venv --ignore=.data --no-location``, and ``-d djangojs`` when the project
   has JavaScript catalogs), and every message it finds must already be in the
   catalogs (as a live entry, not an obsolete one).

Exit status 1 with the list of problems, 0 when complete. Run by ``make check`` and
``.ci/run``. The catalogs are read with Babel's PO reader.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from copcore import glossary_rules

# Never copied into the temporary tree: environments, data, caches, uploads.
SKIP = {".venv", ".data", ".git", "media", "staticfiles", "node_modules", "__pycache__",
        ".pytest_cache", ".ruff_cache", ".mypy_cache"}  # fmt: skip
MAKEMESSAGES = ["--all", "--ignore=.venv", "--ignore=.data", "--no-location"]

Key = tuple[str | None, str]  # (msgctxt, msgid)


def catalogs(root: Path) -> list[Path]:
    """Every .po file under the project's locale folders (not under skipped folders)."""
    found = []
    for path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
        if not SKIP.intersection(path.relative_to(root).parts):
            found.append(path)
    return found


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=False)


def _key(message) -> Key:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (message.context, msgid)


def incomplete(path: Path) -> list[str]:
    """The untranslated and fuzzy messages of one catalog, as readable lines."""
    problems = []
    for message in _read(path):
        if not message.id:  # the header
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        msgid = _key(message)[1]
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            problems.append(f"untranslated: {msgid!r}")
    return problems


def ruled_out_words(path: Path, rules: list[glossary_rules.Rule]) -> list[str]:
    """Translations that use a word docs/glossary.md rules out for the catalog's language."""
    language = path.parts[-3]
    messages = []
    for message in _read(path):
        if message.id:
            strings = (
                message.string if isinstance(message.string, (list, tuple)) else [message.string]
            )
            messages.append((_key(message)[1], list(strings)))
    return [
        f"uses {word!r} where the glossary says {instead!r}: {msgid!r}"
        for msgid, word, instead in glossary_rules.uses(messages, language, rules)
    ]


def live_keys(path: Path) -> set[Key]:
    return {_key(m) for m in _read(path) if m.id}


def has_js_catalogs(root: Path) -> bool:
    return any(path.name == "djangojs.po" for path in catalogs(root))


def extracted(root: Path, stdout) -> dict[Path, set[Key]]:
    """The messages makemessages finds, per catalog (relative path -> keys), from a
    temporary copy of the tree so the real catalogs are never touched."""
    with tempfile.TemporaryDirectory(prefix="check-messages-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(*SKIP), symlinks=True)
        domains = [["-d", "django"]] + ([["-d", "djangojs"]] if has_js_catalogs(root) else [])
        for domain in domains:
            result = subprocess.run(
                [sys.executable, "manage.py", "makemessages", *MAKEMESSAGES, *domain],
                cwd=copy,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                raise CommandError(f"makemessages failed:\n{result.stdout}\n{result.stderr}")
        return {path.relative_to(copy): live_keys(path) for path in catalogs(copy)}


class Command(BaseCommand):
    help = "Fail if a catalog has untranslated or fuzzy messages, or misses a new message."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-extract",
            action="store_true",
            help="Only check the catalogs as they are (no makemessages run).",
        )

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR)
        found = catalogs(root)
        if not found:
            raise CommandError("No translation catalogs found.")
        problems: list[str] = []
        glossary = glossary_rules.rules(root / "docs" / "glossary.md")
        for path in found:
            relative = path.relative_to(root)
            problems += [f"{relative}: {line}" for line in incomplete(path)]
            problems += [f"{relative}: {line}" for line in ruled_out_words(path, glossary)]
        if not options["skip_extract"]:
            current = {path.relative_to(root): live_keys(path) for path in found}
            for relative, keys in extracted(root, self.stdout).items():
                missing = keys - current.get(relative, set())
                problems += [
                    f"{relative}: not in the catalog yet (run make messages and translate): "
                    f"{msgid!r}"
                    for _context, msgid in sorted(missing, key=lambda k: (k[1], k[0] or ""))
                ]
        languages = sorted({path.relative_to(root).parts[-3] for path in found})
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(
                f"{len(problems)} message problem(s) in {len(found)} catalog(s) "
                f"({', '.join(languages)})."
            )
        self.stdout.write(
            f"{len(found)} catalog(s) ({', '.join(languages)}) complete: every message "
            "translated, none fuzzy, none missing."
        )
