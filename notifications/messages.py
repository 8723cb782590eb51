"""Turning a composed notification into an email: HTML and text parts, a stable
Message-ID, and the RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from notifications.tokens import unsubscribe_token

UNSUBSCRIBE_ROUTE = "unsubscribe:unsubscribe"


@dataclass
class Composed:
    """Everything needed to reserve a delivery record and send one email."""

    user_id: int
    email: str
    kind: str
    period_key: str
    subject: str
    text: str
    html: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # section keys, for logs and tests
    inline_images: dict[str, bytes] = field(default_factory=dict)  # Content-ID -> PNG
    # The subject as a code and its parameters (notifications.subjects), kept on the
    # delivery record; empty: derived from the kind and period.
    subject_code: str = ""
    subject_params: dict[str, str] = field(default_factory=dict)
    # Composed inside translation.override(reader's language): that language.
    language: str = field(default_factory=lambda: translation.get_language() or "")


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    try:
        path = reverse(UNSUBSCRIBE_ROUTE, kwargs={"token": token})
    except Exception:  # noqa: BLE001 - not mounted yet: keep the documented address
        path = f"/unsubscribe/{token}/"
    return settings.SITE_URL.rstrip("/") + path


def message_id(*, user_id: int, kind: str, period_key: str) -> str:
    """The same for every attempt at the same delivery, so a resend after a crash can
    be recognised as the same message by the receiving side."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0] or "localhost"
    digest = hashlib.sha256(f"{user_id}/{kind}/{period_key}".encode()).hexdigest()[:24]
    return f"<{kind}.{digest}@{host}>"


def build_email(composed: Composed, *, connection=None) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user_id=composed.user_id, kind=composed.kind)
    message = EmailMultiAlternatives(
        subject=composed.subject,
        body=composed.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[composed.email],
        connection=connection,
        headers={
            "Message-ID": message_id(
                user_id=composed.user_id, kind=composed.kind, period_key=composed.period_key
            ),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-CoP-Kind": composed.kind,
            "X-CoP-Period": composed.period_key,
            "X-CoP-Sections": ",".join(composed.sections),
            **({"Content-Language": composed.language} if composed.language else {}),
        },
    )
    message.attach_alternative(composed.html, "text/html")
    if composed.inline_images:
        # multipart/related: the HTML part refers to the images by cid:
        # A class attribute of EmailMessage (the outer MIME subtype) that django-stubs omit.
        message.mixed_subtype = "related"  # type: ignore[attr-defined]
        for cid, png in composed.inline_images.items():
            image = MIMEImage(png, "png")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
            message.attach(image)
    for filename, content, mimetype in composed.attachments:
        message.attach(filename, content, mimetype)
    return message
