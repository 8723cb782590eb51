"""Fixtures of the notifications tests."""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from django_scopes import scopes_disabled


@pytest.fixture(autouse=True)
def _urlconf_loaded(db):
    """Load the project's URLconf once outside any tenant scope.

    The digest reverses routes of every app outside a request; if some app's module
    evaluates a scoped queryset at import time, importing it lazily from inside a
    digest task would fail for a reason that has nothing to do with notifications."""
    with scopes_disabled():
        get_resolver().url_patterns  # noqa: B018 - forces the import


class RecordingHandler:
    """An SMTP server's behaviour for tests: keeps what it accepts, can refuse chosen
    addresses (550), can be told to answer 421 (try later), and can be slowed down.

    Like a real MTA, a message whose client went away before the final reply is not
    kept: the transaction only completes with the server's 250."""

    def __init__(self):
        import threading

        self.messages: list = []
        self.refuse: set[str] = set()
        self.unavailable = False
        self.fail_first = 0  # answer 421 to this many messages, then accept
        self.delay = 0.0
        self.lock = threading.Lock()
        self.started = threading.Event()  # set when the first DATA arrives
        self.data_calls = 0
        self.in_flight: dict[int, threading.Event] = {}  # n -> set when DATA n arrives

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import message_from_bytes

        self.started.set()
        self.data_calls += 1
        event = self.in_flight.get(self.data_calls)
        if event is not None:
            event.set()
        if self.unavailable or self.data_calls <= self.fail_first:
            return "421 4.3.2 Service not available, try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
            transport = getattr(server, "transport", None)
            if transport is None or transport.is_closing():
                return "451 4.4.2 Connection lost"
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def received(self) -> list:
        with self.lock:
            return list(self.messages)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, with Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 30
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()
