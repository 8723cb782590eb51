"""Transcripts: WebVTT and SRT parsed with speakers and times, the de-identification
warning before members see them, search-within, recording links at a moment, decisions
citing a moment, and transcript moments in the one search."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from knowledge.search.query import search
from knowledge.selectors import viewer_for
from sessions import services
from sessions.models import Decision, Transcript, TranscriptCue
from sessions.tests.helpers import make_session, url
from sessions.transcripts import TranscriptError, parse_transcript, recording_at

pytestmark = pytest.mark.django_db

VTT = b"""WEBVTT

00:00:01.000 --> 00:00:04.000
<v Ana Lima>Welcome to the clinic.</v>

00:12:05.000 --> 00:12:09.000
Bob Smith: We tried the grab bag on ward 3 and the infecci\xc3\xb3n rate fell.
"""

SRT = b"""1
00:00:01,000 --> 00:00:03,000
Jo Ward: hello there

2
01:02:04,000 --> 01:02:06,000
no speaker here
"""


def test_webvtt_and_srt_keep_speakers_and_times():
    file_format, cues = parse_transcript(VTT, "clinic.vtt")
    assert file_format == "vtt"
    assert [(c.speaker, c.start_ms) for c in cues] == [("Ana Lima", 1000), ("Bob Smith", 725000)]
    assert cues[1].text.startswith("We tried the grab bag")
    file_format, cues = parse_transcript(SRT, "clinic.srt")
    assert file_format == "srt"
    assert [(c.speaker, c.text, c.start_ms) for c in cues] == [
        ("Jo Ward", "hello there", 1000),
        ("", "no speaker here", 3724000),
    ]
    with pytest.raises(TranscriptError):
        parse_transcript(b"\xff\xfe not text", "x.vtt")
    with pytest.raises(TranscriptError):
        parse_transcript(b"WEBVTT\n\nnonsense", "x.vtt")


def test_recording_links_open_at_the_moment_where_the_host_supports_it():
    assert recording_at("https://www.youtube.com/watch?v=abc", 65) == (
        "https://www.youtube.com/watch?v=abc&t=65"
    )
    assert recording_at("https://youtu.be/abc?t=3", 65) == "https://youtu.be/abc?t=65"
    assert recording_at("https://vimeo.com/123", 65) == "https://vimeo.com/123#t=65s"
    assert recording_at("https://media.example.org/clinic.mp4", 65) == (
        "https://media.example.org/clinic.mp4#t=65"
    )
    assert recording_at("https://zoom.us/rec/share/abc", 65) is None
    assert recording_at("", 65) is None


def _upload(client, world, session, content, **extra):
    return client.post(
        url("sessions:transcript_upload", world, session_id=session.pk),
        {"file": SimpleUploadedFile("clinic.vtt", content, "text/vtt"), **extra},
    )


def test_identifying_text_is_warned_about_before_members_see_it(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    identifying = VTT + b"\n00:13:00.000 --> 00:13:04.000\nHer NHS number is 943 476 5919.\n"
    answer = _upload(client, world, session, identifying)
    assert answer.status_code == 400
    assert "may identify a patient" in answer.content.decode()
    with scope(organization=world.org_a):
        assert not Transcript.objects.exists()
    answer = _upload(client, world, session, identifying, confirm_deidentified="on")
    assert answer.status_code == 302
    with scope(organization=world.org_a):
        assert Transcript.objects.get().identifying_warning_overridden is True
    # Members may not upload; other organizations get 404.
    assert _upload(client_for(world.member), world, session, VTT).status_code == 403
    assert _upload(client_for(world.outsider), world, session, VTT).status_code == 404


def test_session_page_shows_searches_and_links_the_transcript(world, client_for):
    session = make_session(world, video_link="")
    with scope(organization=world.org_a):
        session.recording_link = "https://www.youtube.com/watch?v=rec"
        session.save()
    assert _upload(client_for(world.convener), world, session, VTT).status_code == 302
    page_url = url("sessions:session_detail", world, session_id=session.pk)
    page = client_for(world.member).get(page_url).content.decode()
    assert "Ana Lima" in page and "Welcome to the clinic." in page
    assert "https://www.youtube.com/watch?v=rec&amp;t=725" in page
    found = client_for(world.member).get(page_url, {"tq": "infeccion"}).content.decode()
    assert "grab bag on ward 3" in found and "Welcome to the clinic." not in found


def test_decisions_cite_a_moment_and_transcripts_are_searchable(
    world, client_for, django_capture_on_commit_callbacks
):
    session = make_session(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client_for(world.convener), world, session, VTT).status_code == 302
    with scope(organization=world.org_a):
        cue = TranscriptCue.objects.get(speaker="Bob Smith")
    answer = client_for(world.convener).post(
        url("sessions:decision_create", world, session_id=session.pk),
        {
            "decision-text": "Every ward gets a grab bag",
            "decision-owner": world.member.pk,
            "decision-cue": cue.pk,
        },
    )
    assert answer.status_code == 302
    with scope(organization=world.org_a):
        assert Decision.objects.get().cue == cue
        other = make_session(world, title="Other")
        with pytest.raises(Exception):  # noqa: B017 - ValidationError from the service
            services.decision_record(
                actor=world.convener, session=other, text="x", owner=world.member, cue=cue
            )
    page = client_for(world.member).get(
        url("sessions:session_detail", world, session_id=session.pk)
    )
    assert f'href="#cue-{cue.pk}"' in page.content.decode()
    with scope(organization=world.org_a):
        viewer = viewer_for(user=world.member, organization=world.org_a)
        results = search(viewer=viewer, query="grab bag").results
    moment = next(r for r in results if r.kind == "transcript")
    assert moment.url.endswith(f"#cue-{cue.pk}")
    assert "12:05" in moment.title
    with scope(organization=world.org_b):
        outsider = viewer_for(user=world.outsider, organization=world.org_b)
        assert search(viewer=outsider, query="grab bag").total == 0
