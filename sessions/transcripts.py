"""Reading WebVTT and SRT transcripts (webvtt-py) and opening a recording at a moment.

Meeting tools name speakers in two ways: Teams and Meet with a voice tag (``<v Ana>``),
Zoom with a "Name: " prefix on the text. Both become the cue's speaker."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import webvtt
from django.utils.translation import gettext as _
from webvtt.errors import MalformedFileError

MAX_BYTES = 5 * 1024 * 1024
_SPEAKER_PREFIX = re.compile(r"^([^\s:][^:\n]{0,58}?):\s+(.+)$", re.S)


@dataclass(frozen=True)
class ParsedCue:
    start_ms: int
    end_ms: int
    speaker: str
    text: str


class TranscriptError(ValueError):
    """The file is not a transcript we can read (the message says why, for the person)."""


def parse_transcript(data: bytes, file_name: str) -> tuple[str, list[ParsedCue]]:
    """The format ("vtt" or "srt") and the cues of an uploaded transcript."""
    if len(data) > MAX_BYTES:
        raise TranscriptError(_("The transcript is larger than 5 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TranscriptError(_("The transcript must be a UTF-8 text file.")) from error
    file_format = "vtt" if text.lstrip().startswith("WEBVTT") else "srt"
    if file_format == "srt" and not file_name.lower().endswith(".srt") and "-->" not in text:
        raise TranscriptError(_("Upload a WebVTT (.vtt) or SubRip (.srt) file."))
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=file_format)
    except (MalformedFileError, ValueError, IndexError) as error:
        raise TranscriptError(
            _("This file could not be read as a WebVTT or SubRip transcript.")
        ) from error
    cues = []
    for caption in captions:
        body = " ".join(caption.text.split())
        speaker = (getattr(caption, "voice", None) or "").strip()
        if not speaker:
            match = _SPEAKER_PREFIX.match(body)
            if match and len(match.group(1).split()) <= 5:
                speaker, body = match.group(1).strip(), match.group(2).strip()
        if not body:
            continue
        cues.append(
            ParsedCue(
                start_ms=round(caption.start_in_seconds * 1000),
                end_ms=round(caption.end_in_seconds * 1000),
                speaker=speaker[:120],
                text=body,
            )
        )
    if not cues:
        raise TranscriptError(_("The transcript has no cues."))
    return file_format, cues


_MEDIA_EXTENSIONS = (".mp4", ".webm", ".m4a", ".mp3", ".ogg", ".ogv", ".wav", ".mov")


def recording_at(link: str, seconds: int) -> str | None:
    """The recording link opening at ``seconds`` where the host supports it: YouTube
    (``t=``), Vimeo (``#t=``) and media files (the W3C media fragment ``#t=``). None for
    other hosts (the page then shows the time only)."""
    if not link:
        return None
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if host.endswith("youtube.com") or host == "youtu.be":
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "t"] + [("t", f"{seconds}")]
        return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
    if host.endswith("vimeo.com"):
        return urlunsplit(parts._replace(fragment=f"t={seconds}s"))
    if parts.path.lower().endswith(_MEDIA_EXTENSIONS):
        return urlunsplit(parts._replace(fragment=f"t={seconds}"))
    return None
