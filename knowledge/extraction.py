"""Text extraction for full-text search: pypdf for PDFs, python-docx for Word (.docx).

Other Office formats (.doc, .xlsx, .pptx, OpenDocument) are not extracted: their
title, summary and Markdown body are still searched. Extraction never fails an
upload; a broken file simply contributes no text.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# A PostgreSQL tsvector is limited to 1 MB; the first 200,000 characters of a
# document are plenty to find it and keep the vector well below the limit.
MAX_EXTRACTED_CHARS = 200_000

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = {"text/plain", "text/csv"}


def extract_text(fileobj, content_type: str) -> str:
    """Plain text of a stored file, or "" when its type is not extracted."""
    try:
        if content_type == PDF:
            text = _pdf_text(fileobj)
        elif content_type == DOCX:
            text = _docx_text(fileobj)
        elif content_type in TEXT:
            text = fileobj.read(MAX_EXTRACTED_CHARS * 4).decode("utf-8-sig", errors="replace")
        else:
            return ""
    except Exception:  # noqa: BLE001 - a damaged document must not break search
        logger.warning("text extraction failed", exc_info=True)
        return ""
    return text.replace("\x00", " ")[:MAX_EXTRACTED_CHARS]


def _pdf_text(fileobj) -> str:
    from pypdf import PdfReader

    reader = PdfReader(fileobj)
    parts: list[str] = []
    size = 0
    for page in reader.pages:
        page_text = page.extract_text() or ""
        parts.append(page_text)
        size += len(page_text)
        if size >= MAX_EXTRACTED_CHARS:
            break
    return "\n".join(parts)


def _docx_text(fileobj) -> str:
    import docx

    document = docx.Document(fileobj)
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)
