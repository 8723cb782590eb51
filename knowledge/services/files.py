"""Stored files: the checked upload and its extracted text for search."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from copcore.dispatch import enqueue_on_commit
from copcore.models import Organization, User
from copcore.services import audit_record
from knowledge import extraction
from knowledge.models import (
    Asset,
    FieldNote,
    StoredFile,
)
from knowledge.services.indexing import asset_reindex
from knowledge.uploads import UploadCheck, storage_name, validate_upload

# ---------------------------------------------------------------- files


@transaction.atomic
def stored_file_create(
    *,
    actor: User,
    organization: Organization,
    uploaded: UploadedFile,
    field_note: FieldNote | None = None,
    check: UploadCheck | None = None,
) -> StoredFile:
    """Check an upload against the rules (nothing is stored when it fails), store it
    under a random name, and extract its text for search after the commit. A caller
    that has already checked the upload passes its ``check`` (no second read)."""
    check = check or validate_upload(uploaded)
    name = default_storage.save(
        storage_name(check, folder=f"knowledge/{organization.pk}"), uploaded
    )
    try:
        stored = StoredFile.objects.create(
            organization=organization,
            file=name,
            original_name=check.original_name,
            content_type=check.content_type,
            size=check.size,
            sha256=check.sha256,
            field_note=field_note,
            uploaded_by=actor,
        )
    except Exception:
        default_storage.delete(name)
        raise
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.file_uploaded",
        target=stored,
        data={"name": check.original_name, "size": check.size, "sha256": check.sha256},
    )
    enqueue_on_commit("knowledge.tasks.extract_file_text", stored.pk)
    return stored


@transaction.atomic
def stored_file_extract_text(*, stored: StoredFile) -> StoredFile:
    """Extract a file's text (idempotent) and refresh the search of assets whose
    current version carries it."""
    if not stored.text_extracted:
        with stored.file.open("rb") as handle:
            stored.extracted_text = extraction.extract_text(handle, stored.content_type)
        stored.text_extracted = True
        stored.save(update_fields=["extracted_text", "text_extracted"])
    for asset in Asset.objects.filter(current_version__file=stored).select_related(
        "organization", "current_version__file"
    ):
        asset_reindex(asset=asset)
    return stored
