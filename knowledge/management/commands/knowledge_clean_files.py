"""Delete stored files that no row points to.

An upload is written to storage before its database row; when the surrounding
transaction rolls back (a later validation error, a crash), the file stays behind
without a row. Nothing can download it (downloads go through the row), but it takes
space. This command removes such files older than ``--min-age-hours`` (default 24, so
an upload in progress is never touched). ``--dry-run`` lists them only.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from knowledge.models import StoredFile


class Command(BaseCommand):
    help = "Delete knowledge files in storage that no database row points to."

    def add_arguments(self, parser):
        parser.add_argument("--min-age-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, min_age_hours: float, dry_run: bool, **options):
        cutoff = timezone.now() - dt.timedelta(hours=min_age_hours)
        with scopes_disabled():
            known = set(StoredFile.objects.values_list("file", flat=True))
        removed = 0
        if not default_storage.exists("knowledge"):
            self.stdout.write("0 orphaned files")
            return
        folders, _files = default_storage.listdir("knowledge")
        for folder in folders:
            _sub, names = default_storage.listdir(f"knowledge/{folder}")
            for name in names:
                path = f"knowledge/{folder}/{name}"
                if path in known or default_storage.get_modified_time(path) > cutoff:
                    continue
                removed += 1
                self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {path}")
                if not dry_run:
                    default_storage.delete(path)
        self.stdout.write(f"{removed} orphaned files")
