"""Uploading a session's transcript, checked for identifying text like an ECHO case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from knowledge.search.indexing import index_objects
from sessions.deidentify import find_identifying_text
from sessions.models import Session, Transcript, TranscriptCue
from sessions.services.cases import IDENTIFYING_TEXT
from sessions.transcripts import TranscriptError, parse_transcript


@transaction.atomic
def transcript_upload(
    *,
    actor: User,
    session: Session,
    upload: UploadedFile,
    confirmed_deidentified: bool = False,
) -> Transcript:
    """Replace the session's transcript with the uploaded WebVTT or SRT file. Text that
    looks identifying (the ECHO case checks) is refused unless the uploader confirms they
    checked it, so members never read it unwarned."""
    data = upload.read()
    try:
        file_format, cues = parse_transcript(data, upload.name or "")
    except TranscriptError as error:
        raise ValidationError({"file": [str(error)]}) from error
    findings = [(cue, finding) for cue in cues for finding in find_identifying_text(cue.text)]
    if findings and not confirmed_deidentified:
        raise ValidationError(
            {
                "file": [
                    ValidationError(
                        _("This looks identifying: %(label)s “%(text)s”. %(reason)s")
                        % {"label": f.label, "text": f.text, "reason": f.reason},
                        code=IDENTIFYING_TEXT,
                    )
                    for _cue, f in findings[:10]
                ]
            }
        )
    Transcript.objects.filter(session=session).delete()
    transcript = Transcript.objects.create(
        organization=session.organization,
        session=session,
        original_name=(upload.name or "transcript")[:200],
        file_format=file_format,
        identifying_warning_overridden=bool(findings),
        uploaded_by=actor,
    )
    created = TranscriptCue.objects.bulk_create(
        TranscriptCue(
            organization=session.organization,
            transcript=transcript,
            position=position,
            start_ms=cue.start_ms,
            end_ms=cue.end_ms,
            speaker=cue.speaker,
            text=cue.text,
        )
        for position, cue in enumerate(cues)
    )
    ids = [cue.pk for cue in created]
    # bulk_create sends no save signals: index the cues once the upload commits.
    transaction.on_commit(lambda: index_objects("transcript", ids))
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.transcript_uploaded",
        target=session,
        data={
            "cues": len(ids),
            "format": file_format,
            "identifying_warning_overridden": bool(findings),
        },
    )
    return transcript
