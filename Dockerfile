# The platform image: web (gunicorn + whitenoise), Celery worker and beat share it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=copcore.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 cop

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings but no database connection: placeholders only.
RUN SECRET_KEY=build-only-placeholder-secret-key-that-is-long-enough-0123456789 \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=.venv \
    && chown -R cop /app

USER cop
EXPOSE 8000
CMD ["gunicorn", "copcore.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
