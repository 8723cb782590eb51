"""``manage.py sync_roles``: write the role-to-permission map into django-guardian."""

from django.core.management.base import BaseCommand

from communities.services import roles_sync_all


class Command(BaseCommand):
    help = "Create the community permissions, one group per community role, and their grants."

    def handle(self, *args, **options):
        count = roles_sync_all()
        self.stdout.write(self.style.SUCCESS(f"Roles synced for {count} communities."))
