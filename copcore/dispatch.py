"""Queue Celery tasks by name after the current transaction commits.

Services must not import their app's ``tasks`` module (the tasks import the services),
so they name the task instead: ``enqueue_on_commit("knowledge.tasks.extract_file_text",
stored.pk)``. A web process has not necessarily imported the tasks modules (Celery
discovers them when a worker starts), so they are loaded here before the first send;
a registered task honours ``CELERY_TASK_ALWAYS_EAGER`` exactly as ``task.delay`` does.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args: Any) -> None:
    """Queue the task now (call it from an ``on_commit`` callback)."""
    app = current_app
    if task_name not in app.tasks:
        app.loader.import_default_modules()
    app.signature(task_name, args=args).apply_async()


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Queue the task once the current transaction has committed."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
