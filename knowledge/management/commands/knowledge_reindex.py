"""Rebuild the search documents of assets (all organizations, or one).

Search documents are kept up to date by the services; rebuild them after an
organization changes its language (the text-search configuration follows it) or
after restoring a database dump.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from copcore.models import Organization
from knowledge.models import Asset
from knowledge.services import asset_reindex


class Command(BaseCommand):
    help = "Rebuild the full-text search documents of knowledge assets."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="slug of one organization")

    def handle(self, *args, organization: str | None = None, **options):
        organizations = Organization.objects.order_by("pk")
        if organization:
            organizations = organizations.filter(slug=organization)
            if not organizations.exists():
                raise CommandError(f"No organization with the slug {organization!r}.")
        total = 0
        for org in organizations:
            with scope(organization=org):
                assets = Asset.objects.filter(organization=org).select_related(
                    "organization", "current_version__file"
                )
                for asset in assets.iterator(chunk_size=500):
                    asset_reindex(asset=asset)
                    total += 1
        self.stdout.write(f"{total} assets reindexed")
