"""``manage.py seed_demo``: load the demo network and print the demo logins (idempotent)."""

from django.core.management.base import BaseCommand

from copcore.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load demo data modelled on the seed documents. Safe to run repeatedly."

    def handle(self, *args, **options):
        personas = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for persona in personas:
            self.stdout.write(f"  {persona.email:28} {persona.name:18} {persona.note}")
