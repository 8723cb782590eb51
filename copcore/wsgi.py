"""WSGI entry point (gunicorn copcore.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copcore.settings.development")
application = get_wsgi_application()
