"""Emails of the communities app, each written in the recipient's own language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from copcore.models import User


def absolute_url(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def send_in_language(
    *, user: User, subject: Callable[[], str], template: str, context: dict
) -> None:
    """Render the subject and body with the person's language active and send them;
    ``Content-Language`` says which language was used."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        EmailMessage(
            subject=subject(),
            body=render_to_string(template, context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={"Content-Language": language},
        ).send()
