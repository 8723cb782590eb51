"""The current request's id and client address, for audit events written deep in services.

Held in context variables (not thread locals) so they are correct under ASGI too;
Celery tasks set the request id to their task id.
"""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
client_ip_var: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_request_id() -> str:
    return request_id_var.get()


def current_client_ip() -> str | None:
    return client_ip_var.get()
