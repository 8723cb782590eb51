"""Upload rules: type by content, size limit, empty files, safe names and downloads."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from knowledge import services, uploads
from knowledge.models import StoredFile
from knowledge.tests.conftest import upload
from knowledge.tests.documents import (
    ELF_BYTES,
    EXE_BYTES,
    docx_with_text,
    pdf_with_text,
    png_bytes,
)

pytestmark = pytest.mark.django_db


def stored_files(root) -> list[str]:
    return [name for _dirs, _sub, files in os.walk(root) for name in files]


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("report.pdf", pdf_with_text("hello"), "pdf", "application/pdf"),
        (
            "notes.docx",
            docx_with_text("hello"),
            "docx",
            uploads._OOXML_TYPES["word/document.xml"][1],
        ),
        ("photo.png", png_bytes(), "png", "image/png"),
        ("data.csv", b"site,count\nGH,3\n", "csv", "text/csv"),
        ("readme.txt", "Résumé des étapes\n".encode(), "txt", "text/plain"),
        (
            "clip.mp4",
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64,
            "mp4",
            "video/mp4",
        ),
    ],
)
def test_accepted_types_are_recognised_by_content(name, content, extension, content_type):
    check = uploads.validate_upload(upload(name, content))
    assert (check.extension, check.content_type) == (extension, content_type)
    assert check.size == len(content)
    assert len(check.sha256) == 64


@pytest.mark.parametrize("content", [EXE_BYTES, ELF_BYTES])
def test_an_executable_renamed_pdf_is_refused_with_a_clear_message(content, world, _media):
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload("guidelines.pdf", content))
    assert "not a file type we accept" in error.value.messages[0]
    with scope(organization=world.org_a), pytest.raises(ValidationError):
        services.stored_file_create(
            actor=world.member, organization=world.org_a, uploaded=upload("guidelines.pdf", content)
        )
    with scope(organization=world.org_a):
        assert not StoredFile.objects.exists()
    assert stored_files(_media) == []


def test_a_file_whose_name_claims_another_type_is_refused():
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload("scan.pdf", png_bytes()))
    assert error.value.code == "mismatch"
    assert ".pdf" in error.value.messages[0]


def test_an_empty_file_is_refused(world, _media):
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload("empty.pdf", b""))
    assert error.value.code == "empty"
    assert "empty" in error.value.messages[0]


def test_an_oversize_file_is_refused_and_the_limit_is_configurable(settings, world, _media):
    settings.COP_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(upload("big.txt", b"a" * 1001))
    assert error.value.code == "size"
    assert "1000" in error.value.messages[0] or "KB" in error.value.messages[0]
    assert uploads.validate_upload(upload("small.txt", b"a" * 1000)).size == 1000
    with scope(organization=world.org_a), pytest.raises(ValidationError):
        services.stored_file_create(
            actor=world.member, organization=world.org_a, uploaded=upload("big.txt", b"a" * 1001)
        )
    assert stored_files(_media) == []


def test_the_default_limit_is_fifty_megabytes(settings):
    if hasattr(settings, "COP_UPLOAD_MAX_BYTES"):
        del settings.COP_UPLOAD_MAX_BYTES
    assert uploads.max_upload_bytes() == 50 * 1024 * 1024


def test_a_macro_enabled_or_unknown_zip_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<doc/>")
        archive.writestr("word/vbaProject.bin", b"\x00macro")
    with pytest.raises(ValidationError):
        uploads.validate_upload(upload("letter.docx", buffer.getvalue()))
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    with pytest.raises(ValidationError):
        uploads.validate_upload(upload("archive.docx", plain.getvalue()))


def test_binary_content_named_txt_is_refused():
    with pytest.raises(ValidationError):
        uploads.validate_upload(upload("notes.txt", b"abc\x00\x01\x02def"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report final.pdf", "report final.pdf"),
        ('bad"name;.pdf', "bad_name_.pdf"),
        ("\x00\x1f.hidden.txt", "hidden.txt"),
        ("", "file"),
        ("Informe de mejora – sepsis.pdf", "Informe de mejora – sepsis.pdf"),
    ],
)
def test_file_names_are_sanitised(raw, expected):
    assert uploads.sanitise_file_name(raw) == expected


def test_storage_names_are_random_and_use_the_detected_extension():
    check = uploads.validate_upload(upload("photo.jpeg.exe.png", png_bytes()))
    first, second = uploads.storage_name(check), uploads.storage_name(check)
    assert first != second
    assert first.endswith(".png") and "photo" not in first
    assert len(os.path.basename(first)) == 32 + 4


def test_download_is_permission_checked_and_safe(world, client_for, other_cop):
    with scope(organization=world.org_a):
        note = services.field_note_create(
            actor=world.convener,
            community=other_cop,
            title="Ward round",
            body="Notes",
            uploads=[upload("Informe “final”.txt", b"hello", "text/plain")],
        )
        stored = note.attachments.get()
    url = reverse("knowledge:file_download", kwargs={"org_slug": "network-a", "file_id": stored.pk})
    response = client_for(world.convener).get(url)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition.lower()
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"hello"
    # The member holds no role in that CoP: the file does not exist for them.
    assert client_for(world.member).get(url).status_code == 404
    assert stored.file.name.startswith(f"knowledge/{world.org_a.pk}/")
    assert "Informe" not in stored.file.name


def test_files_left_by_a_rolled_back_upload_are_cleaned(world, _media):
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    with scope(organization=world.org_a):
        kept = services.stored_file_create(
            actor=world.member, organization=world.org_a, uploaded=upload("a.txt", b"keep")
        )
        with pytest.raises(RuntimeError), transaction.atomic():
            services.stored_file_create(
                actor=world.member, organization=world.org_a, uploaded=upload("b.txt", b"lost")
            )
            raise RuntimeError("a later step failed")
    assert len(stored_files(_media)) == 2
    out = StringIO()
    call_command("knowledge_clean_files", "--min-age-hours", "0", stdout=out)
    assert "1 orphaned files" in out.getvalue()
    assert stored_files(_media) == [kept.file.name.rsplit("/", 1)[-1]]
