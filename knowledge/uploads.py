"""Upload rules of the platform, reusable by any app (communities uses them for post
attachments).

- ``validate_upload(uploaded)`` checks size (``COP_UPLOAD_MAX_BYTES``, default 50 MB)
  and the type *by content*: PDF, Office documents (OOXML zip containers are opened
  and checked; legacy and OpenDocument by signature), images, MP4, CSV and plain
  text. It returns an ``UploadCheck`` or raises a translated ``ValidationError``;
  nothing is written to storage before it passes.
- ``storage_name(check)`` gives a non-guessable name (uuid4 hex + the extension of
  the detected type, never the one the user typed).
- ``sanitise_file_name(name)`` makes a user-supplied name safe to show and to send
  back in a Content-Disposition header.
- ``file_download_response(field_file, file_name)`` answers a download as an
  attachment with an RFC 6266 ``filename*=`` header. Call it only from a view that
  has checked the reader's permission on the object the file belongs to.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192

# Detected type -> (extension, content type). Only these are accepted.
_SIGNATURE_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("doc", "application/msword"),
    "xls": ("xls", "application/vnd.ms-excel"),
    "ppt": ("ppt", "application/vnd.ms-powerpoint"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odp", "application/vnd.oasis.opendocument.presentation"),
    "jpg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
    "mp4": ("mp4", "video/mp4"),
}
_OOXML_TYPES: dict[str, tuple[str, str]] = {
    # main part -> (extension, content type)
    "word/document.xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xl/workbook.xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "ppt/presentation.xml": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
# Extensions a user may type for each detected extension: a name that claims one
# type while the content is another (an executable named report.pdf) is refused.
_EXTENSION_ALIASES: dict[str, set[str]] = {
    "jpg": {"jpg", "jpeg", "jpe"},
    "txt": {"txt", "text", "md", "markdown", "log", ""},
    "csv": {"csv"},
    "mp4": {"mp4", "m4v"},
}
_KNOWN_EXTENSIONS = {ext for ext, _ct in _SIGNATURE_TYPES.values()} | {
    "docx",
    "xlsx",
    "pptx",
    "txt",
    "csv",
}
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class UploadCheck:
    """What the content check found: the safe extension, the content type to serve,
    the sanitised original name, size and SHA-256 of the bytes."""

    extension: str
    content_type: str
    original_name: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "COP_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sanitise_file_name(name: str, *, max_length: int = 150) -> str:
    """A file name safe to show and to send back: no path, no control or shell-special
    characters, no leading dots, bounded length. Letters of any script are kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*;%$`\'&{}\[\]]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, ext = os.path.splitext(name)
    ext = ext[:16]
    stem = stem[: max(1, max_length - len(ext))]
    name = (stem + ext).strip(" .")
    return name or "file"


def storage_name(check: UploadCheck, *, folder: str = "uploads") -> str:
    """A random, non-guessable storage path with the extension of the detected type."""
    return f"{folder}/{uuid.uuid4().hex}.{check.extension}"


def _claimed_extension(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()


def _ooxml_type(uploaded: UploadedFile) -> tuple[str, str] | None:
    """Open a zip container and recognise Word, Excel and PowerPoint documents. Macro
    projects are refused: they are programs, not documents."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    finally:
        uploaded.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    for part, found in _OOXML_TYPES.items():
        if part in names:
            return found
    return None


def _is_text(uploaded: UploadedFile) -> bool:
    """Valid UTF-8 throughout (a BOM is fine) without control characters."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    uploaded.seek(0)
    try:
        for chunk in uploaded.chunks():
            if _TEXT_CONTROL.search(decoder.decode(chunk)):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded.seek(0)
    return True


def detect_type(uploaded: UploadedFile, head: bytes, claimed: str) -> tuple[str, str] | None:
    """(extension, content type) of an accepted type, judged by the bytes, or None."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.extension in {"zip", "docx", "xlsx", "pptx"}:
            return _ooxml_type(uploaded)
        return _SIGNATURE_TYPES.get(kind.extension)
    if not _is_text(uploaded):
        return None
    return ("csv", "text/csv") if claimed == "csv" else ("txt", "text/plain")


def _measure(uploaded: UploadedFile, limit: int) -> tuple[bytes, int, str]:
    """The first bytes, the real size and the SHA-256, read in chunks; stops as soon
    as the file is over the limit even when the client lied about its size."""
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    digest = hashlib.sha256(head)
    size = len(head)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        size += len(chunk)
        if size > limit:
            raise _too_big(limit)
        digest.update(chunk)
    uploaded.seek(0)
    if size > limit:
        raise _too_big(limit)
    return head, size, digest.hexdigest()


def validate_upload(uploaded: UploadedFile) -> UploadCheck:
    """Check an uploaded file against the platform's rules; raise ``ValidationError``
    with a message that tells the person what to do. Nothing is stored here."""
    limit = max_upload_bytes()
    original_name = sanitise_file_name(getattr(uploaded, "name", "") or "")
    declared_size = getattr(uploaded, "size", None)
    if declared_size is not None and declared_size > limit:
        raise _too_big(limit)
    head, size, sha256 = _measure(uploaded, limit)
    if size == 0:
        raise ValidationError(
            _("The file “%(name)s” is empty. Please choose a file with content.")
            % {"name": original_name},
            code="empty",
        )
    claimed = _claimed_extension(original_name)
    detected = detect_type(uploaded, head, claimed)
    if detected is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a file type we accept. Accepted: PDF, Office documents, "
                "images (JPEG, PNG, GIF, WebP), MP4 videos, CSV and plain text."
            )
            % {"name": original_name},
            code="type",
        )
    extension, content_type = detected
    allowed_claims = _EXTENSION_ALIASES.get(extension, {extension})
    if claimed in _KNOWN_EXTENSIONS | {"jpeg", "exe"} and claimed not in allowed_claims:
        raise ValidationError(
            _(
                "“%(name)s” is named like a .%(claimed)s file but its content is not: "
                "it was refused. Please upload the original file."
            )
            % {"name": original_name, "claimed": claimed},
            code="mismatch",
        )
    if claimed not in allowed_claims:
        original_name = f"{original_name}.{extension}"
    return UploadCheck(
        extension=extension,
        content_type=content_type,
        original_name=original_name,
        size=size,
        sha256=sha256,
    )


def _too_big(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is too large. The largest file accepted is %(limit)s.")
        % {"limit": filesizeformat(limit)},
        code="size",
    )


def file_download_response(
    field_file: FieldFile, *, file_name: str, content_type: str
) -> FileResponse:
    """Send a stored file as an attachment. ``FileResponse`` writes an RFC 6266
    Content-Disposition (``filename*=UTF-8''...``) from the sanitised name; the
    content type is the one detected at upload, and browsers are told not to sniff."""
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=sanitise_file_name(file_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
