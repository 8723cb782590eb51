"""Enqueue Celery tasks by name, after the transaction commits.

Tasks import services (a task takes ids and calls a service); services never import
tasks, so they name the task (``"<app>.tasks.<function>"``, Celery's default name)
and Celery's registry finds it. The registry is filled by Celery's autodiscovery,
which imports each app's ``tasks`` module the first time a task is asked for in a
process that has not loaded them yet (a web process).
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args: int | str) -> None:
    """Send the task now (with eager tasks, in tests or without a broker, it runs now)."""
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()  # runs the tasks autodiscovery
    current_app.tasks[task_name].delay(*args)


def enqueue_on_commit(task_name: str, *args: int | str) -> None:
    """Send the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
