"""Local development (``make run``): debug on unless DEBUG says otherwise."""

from copcore.settings.base import *  # noqa: F403
from copcore.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
