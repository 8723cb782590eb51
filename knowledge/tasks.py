"""Celery tasks of the knowledge app: take ids, enter the organization's scope, call a
service. Enqueued with ``transaction.on_commit`` by the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_scopes import scope, scopes_disabled

from copcore.models import Organization, User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def extract_file_text(file_id: int) -> bool:
    """Extract a stored file's text for search and refresh the assets carrying it.
    Idempotent: a file already extracted only refreshes the search documents."""
    from knowledge.models import StoredFile
    from knowledge.services import stored_file_extract_text

    with scopes_disabled():
        stored = StoredFile.objects.select_related("organization").filter(pk=file_id).first()
    if stored is None:
        return False
    with scope(organization=stored.organization):
        stored_file_extract_text(stored=stored)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_curation_notice(
    organization_id: int, kind: str, item_id: int, action: str, actor_id: int | None = None
) -> bool:
    """Tell an author, in their own language, what a curator decided about their field
    note or asset (changes requested, declined, promoted, published)."""
    from knowledge.models import Asset, FieldNote

    organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    if organization is None:
        return False
    with scope(organization=organization):
        item: Asset | FieldNote | None
        if kind == "asset":
            item = Asset.objects.select_related("owner").filter(pk=item_id).first()
            author = item.owner if item else None
            url_name, kwarg = "knowledge:asset_detail", "asset_id"
        else:
            item = FieldNote.objects.select_related("author").filter(pk=item_id).first()
            author = item.author if item else None
            url_name, kwarg = "knowledge:note_detail", "note_id"
        if item is None or author is None or not author.is_active or not author.email:
            return False
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        link = settings.SITE_URL.rstrip("/") + reverse(
            url_name, kwargs={"org_slug": organization.slug, kwarg: item_id}
        )
        promoted = None
        if isinstance(item, FieldNote) and action == "promoted":
            promoted = item.promoted_assets.order_by("-pk").first()
        context = {
            "author": author,
            "actor": actor,
            "item": item,
            "kind": kind,
            "action": action,
            "organization": organization,
            "link": link,
            "promoted_link": (
                settings.SITE_URL.rstrip("/")
                + reverse(
                    "knowledge:asset_detail",
                    kwargs={"org_slug": organization.slug, "asset_id": promoted.pk},
                )
                if promoted
                else ""
            ),
        }
        language = author.language or organization.language
        with translation.override(language):
            subject = render_to_string("knowledge/emails/curation_subject.txt", context)
            body = render_to_string("knowledge/emails/curation_notice.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[author.email],
        headers={"Content-Language": language},
    ).send()
    return True
