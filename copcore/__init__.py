"""Project package and core app. Importing it loads the Celery app so tasks register."""

from copcore.celery import app as celery_app

__all__ = ["celery_app"]
