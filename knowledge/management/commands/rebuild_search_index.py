"""Rewrite the one search index from the objects (all organizations, or one)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from copcore.models import Organization
from knowledge.search.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (every searchable kind) for all organizations or one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", help="slug of one organization")

    def handle(self, *args, **options) -> None:
        organization = None
        if options.get("organization"):
            with scopes_disabled():
                organization = Organization.objects.filter(slug=options["organization"]).first()
            if organization is None:
                raise CommandError("No organization with that slug.")
        written = rebuild(organization=organization)
        self.stdout.write(f"Indexed {written} documents.")
