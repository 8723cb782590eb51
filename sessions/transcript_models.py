"""A session's transcript: the WebVTT or SRT file a meeting tool exports, kept as cues
(speaker, start, end, text) so a moment can be found, cited and opened in the recording."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class Transcript(models.Model):
    """One transcript per session. ``identifying_warning_overridden`` records that the
    uploader confirmed text flagged as identifying was checked (as for ECHO cases)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField(
        "cop_sessions.Session", on_delete=models.CASCADE, related_name="transcript"
    )
    original_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(max_length=8)  # "vtt" or "srt"
    identifying_warning_overridden = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationScopedManager()

    def __str__(self) -> str:
        return self.original_name


class TranscriptCue(models.Model):
    """One cue of a transcript: who spoke (when the file names them), when, and what."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="cues")
    position = models.PositiveIntegerField()
    start_ms = models.PositiveIntegerField()
    end_ms = models.PositiveIntegerField()
    speaker = models.CharField(_("speaker"), max_length=120, blank=True)
    text = models.TextField(_("what was said"))

    objects = OrganizationScopedManager()
    # Set by the page's selector: the recording opening at this moment, when it can.
    recording_url: str | None = None

    class Meta:
        ordering = ["transcript", "position"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "position"], name="one_cue_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.timestamp} {self.speaker}"

    @property
    def start_seconds(self) -> int:
        return self.start_ms // 1000

    @property
    def timestamp(self) -> str:
        """h:mm:ss (or m:ss under an hour), as players show it."""
        total = self.start_seconds
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
