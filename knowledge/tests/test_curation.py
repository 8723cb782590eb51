"""Intake and curation: field notes and draft assets through the curators' hands."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from copcore.models import AuditEvent
from copcore.permissions import CommunityRole
from copcore.testing import give_role
from knowledge import selectors, services
from knowledge.models import Asset, AssetStatus, FieldNote, NoteStatus
from knowledge.tests.conftest import make_asset, make_tag, upload

pytestmark = pytest.mark.django_db


def post_note(world, **kwargs) -> FieldNote:
    kwargs.setdefault("title", "Night shift delays")
    kwargs.setdefault("body", "Lactate results came back late at night.")
    return services.field_note_create(actor=world.member, community=world.community_a, **kwargs)


def test_a_member_posts_a_note_with_site_tags_and_attachments(scope_a, world):
    tag = make_tag(world.org_a, "Sepsis")
    note = post_note(
        world,
        site=world.site_a,
        tags=[tag],
        uploads=[upload("obs.csv", b"hour,delay\n2,45\n", "text/csv")],
    )
    assert note.status == NoteStatus.POSTED
    assert list(note.tags.all()) == [tag]
    assert note.attachments.get().content_type == "text/csv"
    assert AuditEvent.objects.filter(verb="knowledge.field_note_created").exists()


def test_tags_follow_the_cops_tagging_norms(scope_a, world):
    allowed = make_tag(world.org_a, "Sepsis")
    other = make_tag(world.org_a, "Finance")
    world.community_a.allowed_tags.set([allowed])
    with pytest.raises(ValidationError) as error:
        post_note(world, tags=[other])
    assert "Finance" in str(error.value)
    assert post_note(world, tags=[allowed]).tags.count() == 1


def test_note_curation_transitions_are_audited_and_the_author_is_told(
    scope_a, world, django_capture_on_commit_callbacks
):
    world.member.language = "es"
    world.member.save()
    note = post_note(world)
    services.field_note_submit(actor=world.member, note=note)
    assert note.status == NoteStatus.SUBMITTED and note.submitted_at is not None
    with pytest.raises(ValidationError):
        services.field_note_request_changes(actor=world.convener, note=note, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.field_note_request_changes(
            actor=world.convener, note=note, reason="Add the site and the dates."
        )
    assert note.status == NoteStatus.CHANGES_REQUESTED
    assert note.curation_note == "Add the site and the dates."
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["member@a.example"]
    assert "Add the site and the dates." in message.body
    # Written in the author's language (Spanish), whatever the organization's.
    assert message.extra_headers["Content-Language"] == "es"
    assert "Night shift delays" in message.subject
    services.field_note_update(
        actor=world.member, note=note, title=note.title, body="Now with dates", site=world.site_a
    )
    services.field_note_submit(actor=world.member, note=note)
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.field_note_promote(
            actor=world.convener, note=note, kind=Asset.Kind.LESSON_LEARNED
        )
    assert note.status == NoteStatus.PROMOTED
    assert asset.source_field_note == note
    assert asset.status == AssetStatus.DRAFT
    assert asset.owner == world.member
    assert world.convener in asset.co_owners.all()
    assert asset.current_version.body == "Now with dates"
    assert len(mail.outbox) == 2
    assert f"/knowledge/assets/{asset.pk}/" in mail.outbox[1].body
    verbs = set(AuditEvent.objects.filter(target_id=str(note.pk)).values_list("verb", flat=True))
    assert {
        "knowledge.field_note_submitted",
        "knowledge.field_note_changes_requested",
        "knowledge.field_note_promoted",
    } <= verbs
    with pytest.raises(ValidationError):
        services.field_note_promote(actor=world.convener, note=note)


def test_declining_needs_a_reason_and_tells_the_author(
    scope_a, world, django_capture_on_commit_callbacks
):
    note = post_note(world)
    services.field_note_submit(actor=world.member, note=note)
    with django_capture_on_commit_callbacks(execute=True):
        services.field_note_decline(actor=world.convener, note=note, reason="Duplicate of #12")
    assert note.status == NoteStatus.DECLINED
    assert "Duplicate of #12" in mail.outbox[0].body


def test_asset_drafts_are_submitted_published_and_only_then_readable(
    scope_a, world, django_capture_on_commit_callbacks
):
    draft = make_asset(world, actor=world.member, publish=False, title="Handover sheet")
    sponsor = selectors.viewer_for(user=world.sponsor, organization=world.org_a)
    assert not selectors.assets_visible(viewer=sponsor).filter(pk=draft.pk).exists()
    services.asset_submit(actor=world.member, asset=draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_request_changes(actor=world.convener, asset=draft, reason="Add a title page")
    assert draft.status == AssetStatus.CHANGES_REQUESTED
    services.asset_submit(actor=world.member, asset=draft)
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_publish(actor=world.convener, asset=draft)
    assert draft.status == AssetStatus.PUBLISHED and draft.published_at is not None
    assert selectors.assets_visible(viewer=sponsor).filter(pk=draft.pk).exists()
    assert [m.to for m in mail.outbox] == [["member@a.example"], ["member@a.example"]]
    with pytest.raises(ValidationError):
        services.asset_decline(actor=world.convener, asset=draft, reason="late")


def test_an_asset_without_content_cannot_be_submitted(scope_a, world):
    empty = make_asset(world, publish=False, body="")
    with pytest.raises(ValidationError):
        services.asset_submit(actor=world.convener, asset=empty)


def test_the_queue_shows_waiting_items_and_flags_those_over_14_days(scope_a, world, other_cop):
    old = post_note(world, title="Old note")
    services.field_note_submit(actor=world.member, note=old)
    FieldNote.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=15))
    fresh = make_asset(world, actor=world.member, publish=False, title="Fresh draft")
    services.asset_submit(actor=world.member, asset=fresh)
    hidden = services.field_note_create(
        actor=world.convener, community=other_cop, title="Other CoP", body="x"
    )
    services.field_note_submit(actor=world.convener, note=hidden)
    give_role(world.community_a, world.steward, CommunityRole.MODERATOR)
    moderator = selectors.viewer_for(user=world.steward, organization=world.org_a)
    items = selectors.curation_queue(viewer=moderator)
    assert [item.title for item in items] == ["Old note", "Fresh draft"]
    assert items[0].overdue and items[0].waited_days == 15
    assert not items[1].overdue


def test_curation_queue_page_marks_overdue_in_words_and_is_for_curators(scope_a, world, client_for):
    note = post_note(world, title="Old note")
    services.field_note_submit(actor=world.member, note=note)
    FieldNote.objects.filter(pk=note.pk).update(submitted_at=timezone.now() - dt.timedelta(days=20))
    url = reverse("knowledge:curation_queue", kwargs={"org_slug": "network-a"})
    html = client_for(world.convener).get(url).content.decode()
    assert "Old note" in html and "Overdue" in html and "20 days" in html
    assert client_for(world.member).get(url).status_code == 403


def test_curation_through_the_pages(scope_a, world, client_for):
    note = post_note(world)
    member, convener = client_for(world.member), client_for(world.convener)
    submit = reverse("knowledge:note_submit", kwargs={"org_slug": "network-a", "note_id": note.pk})
    curate = reverse("knowledge:note_curate", kwargs={"org_slug": "network-a", "note_id": note.pk})
    assert convener.post(submit).status_code == 403  # only the author submits
    member.post(submit)
    assert member.post(curate, {"action": "promote"}).status_code == 403
    response = convener.post(curate, {"action": "promote", "kind": "checklist"})
    note.refresh_from_db()
    assert note.status == NoteStatus.PROMOTED
    asset = note.promoted_assets.get()
    assert response["Location"].endswith(f"/knowledge/assets/{asset.pk}/")
    assert asset.kind == "checklist"
    html = convener.get(response["Location"]).content.decode()
    assert "Came from" in html and note.title in html


def test_members_may_draft_but_only_curators_publish(scope_a, world, client_for):
    url = reverse("knowledge:asset_create", kwargs={"org_slug": "network-a"})
    response = client_for(world.member).post(
        url,
        {
            "title": "Sepsis huddle template",
            "kind": "template",
            "community": world.community_a.pk,
            "visibility": "organization",
            "body": "Who, what, when",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    asset = Asset.objects.get(title="Sepsis huddle template")
    assert asset.owner == world.member and asset.status == AssetStatus.DRAFT
    curate = reverse(
        "knowledge:asset_curate", kwargs={"org_slug": "network-a", "asset_id": asset.pk}
    )
    assert client_for(world.member).post(curate, {"action": "publish"}).status_code == 403
    client_for(world.convener).post(curate, {"action": "publish"})
    asset.refresh_from_db()
    assert asset.status == AssetStatus.PUBLISHED
    # The sponsor (read-only) may not draft assets.
    assert client_for(world.sponsor).get(url).status_code == 403


def test_the_create_form_keeps_input_and_explains_upload_refusals(scope_a, world, client_for):
    from knowledge.tests.documents import EXE_BYTES

    url = reverse("knowledge:asset_create", kwargs={"org_slug": "network-a"})
    response = client_for(world.member).post(
        url,
        {
            "title": "Guidelines",
            "kind": "protocol",
            "community": world.community_a.pk,
            "visibility": "community",
            "upload": upload("guidelines.pdf", EXE_BYTES),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "not a file type we accept" in html
    assert 'value="Guidelines"' in html
    assert not Asset.objects.filter(title="Guidelines").exists()


def test_organization_wide_assets_are_curated_by_org_admins(world, client_for):
    url = reverse("knowledge:asset_create", kwargs={"org_slug": "network-a"})
    data = {"title": "Network glossary", "kind": "other", "visibility": "organization", "body": "x"}
    # A member cannot start an organization-wide asset (the community is required).
    refused = client_for(world.member).post(url, data)
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    response = client_for(world.convener).post(url, data)
    assert response.status_code == 302
    with scope(organization=world.org_a):
        asset = Asset.objects.get(title="Network glossary")
        assert asset.community is None
        services.asset_publish(actor=world.convener, asset=asset)
        sponsor = selectors.viewer_for(user=world.sponsor, organization=world.org_a)
        assert selectors.assets_visible(viewer=sponsor).filter(pk=asset.pk).exists()
        assert not sponsor.can_curate(None)
        with pytest.raises(ValidationError):
            services.asset_update(
                actor=world.convener,
                asset=asset,
                title=asset.title,
                summary="",
                kind=asset.kind,
                visibility="community",
                tags=[],
                co_owners=[],
            )
