"""``manage.py seed_demo``: load or refresh the demo network and print the demo logins
(idempotent; every date is relative to today)."""

from django.core.management.base import BaseCommand

from copcore.demo import DEMO_PASSWORD, seed_demo
from copcore.demo.sign_in import DEMO_TOTP_PERSONA, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Load the demo network (dates relative to today). Safe to run repeatedly."

    def handle(self, *args, **options):
        personas = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for persona in personas:
            self.stdout.write(f"  {persona.email:26} {persona.name:16} {persona.note}")
            if persona == DEMO_TOTP_PERSONA:
                self.stdout.write(
                    f"  {'':26} second factor: add the secret {DEMO_TOTP_SECRET} to an "
                    "authenticator app (or use 'oathtool --totp -b' on it) and type its code"
                )
