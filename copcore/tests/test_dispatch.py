"""Services enqueue tasks by name (copcore.dispatch): every name they use is a task."""

from __future__ import annotations

from celery import current_app

from measurement.services.imports import COMMIT_IMPORT, VALIDATE_IMPORT

NAMED_BY_SERVICES = [
    VALIDATE_IMPORT,
    COMMIT_IMPORT,
    "communities.tasks.send_mention_email",
    "communities.tasks.send_community_invitation_email",
    "communities.tasks.send_join_decision_email",
]


def test_every_task_named_by_a_service_is_registered():
    current_app.loader.import_default_modules()
    missing = [name for name in NAMED_BY_SERVICES if name not in current_app.tasks]
    assert not missing
