"""Serve the demo DHIS2 server (``measurement.dhis2.demo_server``) on 127.0.0.1 until
interrupted, so the demo's Southvale connection can be tested, previewed and pulled
while ``make run`` runs. Development only: it answers with made-up data."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from measurement.dhis2.demo_server import DEMO_PORT, demo_stub
from measurement.dhis2.stub import serve


class Command(BaseCommand):
    help = "Serve the demo DHIS2 stub server on 127.0.0.1 (default port 8710)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=DEMO_PORT)

    def handle(self, *args, port: int, **options) -> None:
        app = demo_stub(timezone.localdate())
        with serve(app, port=port) as url:
            self.stdout.write(f"Demo DHIS2 stub on {url} (Ctrl-C to stop)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
