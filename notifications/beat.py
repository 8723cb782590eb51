"""The beat schedule entry of the notifications app, for the project's settings:

    from notifications.beat import BEAT_SCHEDULE as NOTIFICATIONS_BEAT
    CELERY_BEAT_SCHEDULE = {..., **NOTIFICATIONS_BEAT}

The tick runs at minute 0 of every hour (UTC); each person's local time is worked
out per person, so one hourly tick serves every time zone (including the half-hour
ones: their hour comes at the next tick)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "notifications-hourly-tick": {
        "task": "notifications.tick",
        "schedule": crontab(minute=0),
    },
}
