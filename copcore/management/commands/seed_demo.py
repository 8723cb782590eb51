"""``manage.py seed_demo``: load or refresh the demo network and print the demo logins
(idempotent; every date is relative to today)."""

from django.core.management.base import BaseCommand

from copcore.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo network (dates relative to today). Safe to run repeatedly."

    def handle(self, *args, **options):
        personas = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for persona in personas:
            self.stdout.write(f"  {persona.email:26} {persona.name:16} {persona.note}")
