"""Workstreams, threads, posts, Markdown, mentions, moderation, flags and escalations."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.models import Mention, Post, PostFlag, Thread
from communities.tests.helpers import first_post, make_person, make_thread
from copcore.models import AuditEvent
from copcore.permissions import CommunityRole
from copcore.rendering import render_markdown
from copcore.testing import give_role

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(
        f"communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "# Title\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> [ok](https://example.org)'
    )
    assert "<strong>bold</strong>" in html
    assert "<h3>Title</h3>" in html  # headings never outrank the page's own
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    mention = render_markdown(
        'Ask @[Manu <b>Member</b>] & <span class="x" onclick="y">z</span>', mentions=True
    )
    assert '<span class="mention">@Manu' in mention
    assert "onclick" not in mention and 'class="x"' not in mention


def test_a_member_starts_a_thread_and_replies_through_the_pages(world, client_for):
    workstream, _thread = make_thread(world)
    client = client_for(world.member)
    response = client.post(
        url("workstream_detail", world, workstream_id=workstream.pk),
        {"title": "", "body": "Keep this text"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "Keep this text" in response.content.decode()
    response = client.post(
        url("workstream_detail", world, workstream_id=workstream.pk),
        {"title": "Lactate timing", "body": "How fast do you get **lactate**?"},
    )
    with scope(organization=world.org_a):
        thread = Thread.objects.get(title="Lactate timing")
    page = client.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    assert "<strong>lactate</strong>" in page
    first = first_post(thread)
    client_for(world.steward).post(
        url("thread_detail", world, thread_id=thread.pk),
        {"body": "Within the hour", "parent": first.pk},
    )
    with scope(organization=world.org_a):
        reply = Post.objects.get(body="Within the hour")
        assert reply.parent == first
    assert (
        "in reply to Manu Member"
        in client.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    )


def test_mentions_are_recorded_and_emailed_in_the_persons_language(
    world, django_capture_on_commit_callbacks
):
    world.member.language = "es"
    world.member.save()
    _ws, thread = make_thread(world)
    mail.outbox.clear()
    body = "Ask @[Manu Member] and @steward@a.example, not @[Nobody Here]"
    with scope(organization=world.org_a):
        with django_capture_on_commit_callbacks(execute=True):
            post = services.post_create(actor=world.convener, thread=thread, body=body)
        mentions = list(Mention.objects.filter(post=post).select_related("user"))
        assert {m.user.email for m in mentions} == {"member@a.example", "steward@a.example"}
        assert all(m.notified_at for m in Mention.objects.filter(post=post))
    assert sorted(m.to[0] for m in mail.outbox) == ["member@a.example", "steward@a.example"]
    english = next(m for m in mail.outbox if m.to == ["steward@a.example"])
    spanish = next(m for m in mail.outbox if m.to == ["member@a.example"])
    assert "Connie Convener mentioned you in" in english.subject
    assert "Screening tools" in english.body and "/threads/" in english.body
    assert spanish.extra_headers["Content-Language"] == "es"  # the person's language
    assert "le ha mencionado" in spanish.subject
    assert english.extra_headers["Content-Language"] == "en"
    # Sending again is a no-op: each mention is emailed once.
    with scope(organization=world.org_a):
        assert all(services.mention_notify(mention=m) is False for m in mentions)


def test_moderators_pin_lock_close_with_summary_and_reopen(world, client_for):
    moderator = make_person(world, "mod@a.example", "Mo Moderator")
    give_role(world.community_a, moderator, CommunityRole.MODERATOR)
    _ws, thread = make_thread(world)
    mod = client_for(moderator)
    member = client_for(world.member)
    assert (
        member.post(
            url("thread_moderate", world, thread_id=thread.pk), {"action": "pin"}
        ).status_code
        == 403
    )
    mod.post(url("thread_moderate", world, thread_id=thread.pk), {"action": "pin"})
    mod.post(url("thread_moderate", world, thread_id=thread.pk), {"action": "lock"})
    response = member.post(
        url("thread_detail", world, thread_id=thread.pk), {"body": "Hello"}, follow=True
    )
    assert "only moderators can post" in response.content.decode()
    mod.post(url("thread_detail", world, thread_id=thread.pk), {"body": "Moderator note"})
    response = mod.post(url("thread_close", world, thread_id=thread.pk), {"summary": ""})
    assert "Write a closing summary before closing." in response.content.decode()
    mod.post(
        url("thread_close", world, thread_id=thread.pk),
        {"summary": "We agreed on qSOFA; see the toolkit."},
    )
    thread.refresh_from_db()
    assert thread.is_pinned and thread.is_locked and thread.is_closed
    page = member.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    assert "We agreed on qSOFA" in page and "This discussion is closed." in page
    with scope(organization=world.org_a), pytest.raises(ValidationError, match="closed"):
        services.post_create(actor=moderator, thread=thread, body="late", moderator=True)
    mod.post(url("thread_moderate", world, thread_id=thread.pk), {"action": "reopen"})
    thread.refresh_from_db()
    assert not thread.is_closed and thread.closing_summary == ""
    with scope(organization=world.org_a):
        verbs = set(
            AuditEvent.objects.filter(target_id=str(thread.pk)).values_list("verb", flat=True)
        )
    assert {
        "community.thread_pinned",
        "community.thread_locked",
        "community.thread_closed",
        "community.thread_reopened",
        "community.thread_summary_archived",
    } <= verbs


def test_flags_go_to_the_moderation_queue_and_upheld_posts_are_hidden(world, client_for):
    _ws, thread = make_thread(world, body="Rude words")
    post = first_post(thread)
    member = client_for(world.member)
    response = member.post(url("post_flag", world, post_id=post.pk), {"reason": ""})
    assert "This field is required." in response.content.decode()
    member.post(url("post_flag", world, post_id=post.pk), {"reason": "Disrespectful"})
    assert member.get(url("moderation", world)).status_code == 403
    convener = client_for(world.convener)
    assert "Disrespectful" in convener.get(url("moderation", world)).content.decode()
    with scope(organization=world.org_a):
        flag = PostFlag.objects.get(post=post)
    convener.post(url("flag_resolve", world, flag_id=flag.pk), {"decision": "uphold"})
    post.refresh_from_db()
    assert post.is_hidden
    page = member.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    assert "hidden by a moderator" in page and "Rude words" not in page


def test_edits_keep_their_history_and_only_the_author_edits(world, client_for):
    _ws, thread = make_thread(world, body="Version one")
    post = first_post(thread)
    assert client_for(world.member).get(url("post_edit", world, post_id=post.pk)).status_code == 403
    client_for(world.convener).post(
        url("post_edit", world, post_id=post.pk), {"body": "Version two"}
    )
    post.refresh_from_db()
    assert post.body == "Version two" and post.edited_at is not None
    history = (
        client_for(world.member).get(url("post_history", world, post_id=post.pk)).content.decode()
    )
    assert "Version one" in history and "Version two" in history


def test_tags_must_come_from_the_communitys_norms(world, client_for):
    with scope(organization=world.org_a):
        sepsis = services.tag_create(actor=world.convener, organization=world.org_a, name="Sepsis")
        other = services.tag_create(actor=world.convener, organization=world.org_a, name="Falls")
        services.community_tags_set(
            actor=world.convener, community=world.community_a, tags=[sepsis]
        )
        workstream = services.workstream_create(
            actor=world.convener, community=world.community_a, name="General"
        )
        with pytest.raises(ValidationError, match="only the tags"):
            services.thread_create(
                actor=world.member, workstream=workstream, title="T", body="B", tags=[other]
            )
        thread = services.thread_create(
            actor=world.member, workstream=workstream, title="T", body="B", tags=[sepsis]
        )
    page = (
        client_for(world.member)
        .get(url("workstream_detail", world, workstream_id=workstream.pk), {"tag": "sepsis"})
        .content.decode()
    )
    assert "T</a>" in page and thread.title in page
    # Moderators set the norms; members may not.
    assert client_for(world.member).post(url("tags", world), {"new_tags": "X"}).status_code == 403
    client_for(world.convener).post(
        url("tags", world), {"tags": [sepsis.pk], "new_tags": "Lactate, qSOFA"}
    )
    with scope(organization=world.org_a):
        assert sorted(world.community_a.allowed_tags.values_list("slug", flat=True)) == [
            "lactate",
            "qsofa",
            "sepsis",
        ]


def test_escalations_have_an_owner_and_a_status(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        url("escalations", world),
        {"title": "", "escalated_to": "commissioners", "owner": world.convener.pk},
    )
    assert "This field is required." in response.content.decode()
    client.post(
        url("escalations", world),
        {
            "title": "No lactate analysers",
            "escalated_to": "commissioners",
            "owner": world.steward.pk,
        },
    )
    with scope(organization=world.org_a):
        escalation = world.community_a.escalations.get()
    client.post(
        url("escalation_detail", world, escalation_id=escalation.pk),
        {"status": "in_progress", "owner": world.convener.pk, "outcome": "Raised"},
    )
    escalation.refresh_from_db()
    assert (escalation.status, escalation.owner) == ("in_progress", world.convener)
    assert (
        client_for(world.member).post(url("escalations", world), {"title": "x"}).status_code == 403
    )


def test_attachments_use_the_upload_rules_and_are_served_to_readers_only(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _ws, thread = make_thread(world)
    member = client_for(world.member)
    thread_url = url("thread_detail", world, thread_id=thread.pk)
    fake = SimpleUploadedFile("tool.pdf", b"MZ\x90\x00 not really a pdf", "application/pdf")
    response = member.post(thread_url, {"body": "Keep me", "attachment": fake})
    assert response.status_code == 200
    text = response.content.decode()
    assert "tool.pdf" in text and "Keep me" in text  # says what is wrong, keeps the text
    with scope(organization=world.org_a):
        assert not Post.objects.filter(body="Keep me").exists()
    notes = SimpleUploadedFile("notes.csv", b"site,score\nGH,3\n", "text/csv")
    member.post(thread_url, {"body": "Our audit", "attachment": notes})
    with scope(organization=world.org_a):
        post = Post.objects.get(body="Our audit")
        attachment = post.attachments.get()
    assert attachment.original_name == "notes.csv" and attachment.size == 16
    assert not attachment.file.name.endswith("notes.csv")  # stored under a random name
    download = url("attachment_download", world, post_id=post.pk, attachment_id=attachment.pk)
    assert "notes.csv" in member.get(thread_url).content.decode()
    response = client_for(world.steward).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"site,score\nGH,3\n"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.sponsor).get(download).status_code == 403
    with scope(organization=world.org_a):
        post.is_hidden = True
        post.save()
    assert member.get(download).status_code == 403
    assert client_for(world.convener).get(download).status_code == 200
    wrong_post = url(
        "attachment_download", world, post_id=post.pk + 1000, attachment_id=attachment.pk
    )
    assert client_for(world.convener).get(wrong_post).status_code == 404


def test_long_threads_are_paged_and_a_reply_lands_on_the_last_page(world, client_for):
    from communities.models import Post as PostModel
    from communities.views.discussions import POSTS_PER_PAGE

    _ws, thread = make_thread(world)
    with scope(organization=world.org_a):
        PostModel.objects.bulk_create(
            [
                PostModel(
                    organization=world.org_a,
                    community=world.community_a,
                    thread=thread,
                    author=world.member,
                    body=f"Bulk {i}",
                    body_html=f"<p>Bulk {i}</p>",
                )
                for i in range(POSTS_PER_PAGE)
            ]
        )
    client = client_for(world.member)
    thread_url = url("thread_detail", world, thread_id=thread.pk)
    first = client.get(thread_url).content.decode()
    assert "Page 1 of 2" in first and "Bulk 98<" in first and "Bulk 99<" not in first
    response = client.post(thread_url, {"body": "The newest reply"})
    assert "?page=2#post-" in response["Location"]
    assert "The newest reply" in client.get(response["Location"]).content.decode()
