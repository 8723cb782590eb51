"""The beat schedule entry of the notifications app.

``register()`` (called from ``NotificationsConfig.ready``) merges it into the Celery
app's ``beat_schedule``, so ``celery -A copcore beat`` runs the tick without a
settings change. The project may also list it in its settings explicitly:

    from notifications.beat import BEAT_SCHEDULE as NOTIFICATIONS_BEAT
    CELERY_BEAT_SCHEDULE = {..., **NOTIFICATIONS_BEAT}

The tick runs at minute 0 of every hour (UTC); each person's local time is worked
out per person, so one hourly tick serves every time zone (including the half-hour
ones: their hour is caught at the next tick)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "notifications-hourly-tick": {
        "task": "notifications.tick",
        "schedule": crontab(minute=0),
    },
}


def register() -> None:
    from copcore.celery import app

    schedule = dict(app.conf.beat_schedule or {})
    for name, entry in BEAT_SCHEDULE.items():
        schedule.setdefault(name, entry)
    app.conf.beat_schedule = schedule
