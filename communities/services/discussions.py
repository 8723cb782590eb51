"""Workstreams, threads, posts, attachments, mentions, moderation and escalations."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.emails import absolute_url, send_in_language
from communities.models import (
    Community,
    CommunityRoleAssignment,
    Escalation,
    Mention,
    Post,
    PostAttachment,
    PostFlag,
    SubscriptionLevel,
    Tag,
    Thread,
    Workstream,
)
from communities.selectors import tags_allowed
from communities.services.reading import follow_by_default, thread_mark_read
from communities.services.roles import ensure_writable
from communities.unread import subscription_of
from copcore.dispatch import enqueue, enqueue_on_commit
from copcore.models import OrganizationMembership, User
from copcore.rendering import mentioned_handles, render_markdown
from copcore.services import audit_record
from knowledge.uploads import storage_name, validate_upload


@transaction.atomic
def workstream_create(
    *, actor: User, community: Community, name: str, description: str = ""
) -> Workstream:
    ensure_writable(community)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A workstream needs a name.")})
    if Workstream.objects.filter(community=community, name__iexact=name).exists():
        raise ValidationError({"name": _("A workstream with this name already exists.")})
    workstream = Workstream.objects.create(
        organization=community.organization,
        community=community,
        name=name,
        description=description.strip(),
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.workstream_created",
        target=workstream,
    )
    return workstream


def _check_tags(community: Community, tags: list[Tag]) -> None:
    allowed = set(tags_allowed(community=community).values_list("pk", flat=True))
    if any(tag.pk not in allowed for tag in tags):
        raise ValidationError({"tags": _("Use only the tags this community allows.")})


def _record_mentions(post: Post) -> list[Mention]:
    """Find @mentions of people who hold a role in the CoP and record them; emails go
    out after commit."""
    names, emails = mentioned_handles(post.body)
    if not names and not emails:
        return []
    holder_ids = (
        CommunityRoleAssignment.objects.filter(community=post.community)
        .active_on(timezone.localdate())
        .values_list("user_id", flat=True)
    )
    candidates = User.objects.filter(pk__in=holder_ids)
    if post.author_id is not None:
        candidates = candidates.exclude(pk=post.author_id)
    mentioned = [
        user
        for user in candidates
        if user.display_name.strip().lower() in names or user.email.lower() in emails
    ]
    already = set(Mention.objects.filter(post=post).values_list("user_id", flat=True))
    created = Mention.objects.bulk_create(
        [
            Mention(organization=post.organization, post=post, user=user)
            for user in mentioned
            if user.pk not in already
        ]
    )
    if created:
        ids = [m.pk for m in created]
        organization_id = post.organization_id

        def send_emails() -> None:
            for pk in ids:
                enqueue("communities.tasks.send_mention_email", organization_id, pk)

        transaction.on_commit(send_emails)
    return created


MAX_ATTACHMENTS_PER_POST = 5


def _check_uploads(uploads) -> list:
    """Check every upload against the platform's rules before anything is stored."""
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_ATTACHMENTS_PER_POST:
        raise ValidationError(
            {
                "attachment": _("Attach at most %(n)s files to one post.")
                % {"n": MAX_ATTACHMENTS_PER_POST}
            }
        )
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, validate_upload(upload)))
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from error
    return checked


def _store_attachments(post: Post, actor: User, checked: list) -> list[PostAttachment]:
    """Store checked uploads under random names and record them; if recording fails,
    the stored files are removed again (as knowledge does for its files)."""
    names: list[str] = []
    try:
        rows = []
        for upload, check in checked:
            name = default_storage.save(
                storage_name(check, folder=f"communities/{post.organization_id}"), upload
            )
            names.append(name)
            rows.append(
                PostAttachment(
                    organization=post.organization,
                    community=post.community,
                    post=post,
                    file=name,
                    original_name=check.original_name,
                    content_type=check.content_type,
                    size=check.size,
                    sha256=check.sha256,
                    uploaded_by=actor,
                )
            )
        return PostAttachment.objects.bulk_create(rows)
    except Exception:
        for name in names:
            default_storage.delete(name)
        raise


def _check_thread_open_for(actor: User, thread: Thread, *, moderator: bool) -> None:
    ensure_writable(thread.community)
    if thread.is_closed:
        raise ValidationError(_("This discussion is closed."))
    if thread.is_locked and not moderator:
        raise ValidationError(_("This discussion is locked: only moderators can post."))


@transaction.atomic
def thread_create(
    *,
    actor: User,
    workstream: Workstream,
    title: str,
    body: str,
    tags: list[Tag] | None = None,
    attachments: list | None = None,
) -> Thread:
    """Start a discussion: the thread and its first post (with optional attachments)."""
    community = workstream.community
    ensure_writable(community)
    tags = tags or []
    _check_tags(community, tags)
    checked = _check_uploads(attachments)
    if not title.strip():
        raise ValidationError({"title": _("A discussion needs a title.")})
    if not body.strip():
        raise ValidationError({"body": _("Write the first message.")})
    thread = Thread.objects.create(
        organization=community.organization,
        community=community,
        workstream=workstream,
        title=title.strip(),
        author=actor,
    )
    thread.tags.set(tags)
    follow_by_default(user=actor, thread=thread)
    post = Post.objects.create(
        organization=community.organization,
        community=community,
        thread=thread,
        author=actor,
        body=body,
        body_html=str(render_markdown(body, mentions=True)),
    )
    _store_attachments(post, actor, checked)
    _record_mentions(post)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.thread_created",
        target=thread,
    )
    return thread


@transaction.atomic
def post_create(
    *,
    actor: User,
    thread: Thread,
    body: str,
    parent: Post | None = None,
    moderator: bool = False,
    attachments: list | None = None,
) -> Post:
    """Reply in a discussion (to the thread, or to one post with ``parent``), with
    optional attachments checked by the platform's upload rules."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check_thread_open_for(actor, thread, moderator=moderator)
    if parent is not None and parent.thread_id != thread.pk:
        raise ValidationError({"parent": _("The reply must be in the same discussion.")})
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    checked = _check_uploads(attachments)
    post = Post.objects.create(
        organization=thread.organization,
        community=thread.community,
        thread=thread,
        parent=parent,
        author=actor,
        body=body,
        body_html=str(render_markdown(body, mentions=True)),
    )
    thread.last_activity_at = post.created_at
    thread.save(update_fields=["last_activity_at"])
    _store_attachments(post, actor, checked)
    _record_mentions(post)
    follow_by_default(user=actor, thread=thread)
    # The replier has read everything up to their own reply.
    thread_mark_read(user=actor, thread=thread, up_to=post)
    # Followers who want replies at once get an email each, after commit; the task
    # takes ids and is idempotent (one delivery record per person and post).
    enqueue_on_commit("notifications.tasks.send_followed_reply", thread.organization_id, post.pk)
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.post_created",
        target=thread,
        data={"post": post.pk},
    )
    return post


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str) -> Post:
    """The author edits their post; the previous text stays in the post's history."""
    ensure_writable(post.community)
    if post.author_id != actor.pk:
        raise PermissionDenied
    if post.thread.is_closed:
        raise ValidationError(_("This discussion is closed."))
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    post.body = body
    post.body_html = str(render_markdown(body, mentions=True))
    post.edited_at = timezone.now()
    post.save()
    _record_mentions(post)
    audit_record(
        organization=post.organization,
        actor=actor,
        verb="community.post_edited",
        target=post.thread,
        data={"post": post.pk},
    )
    return post


def _thread_moderation(actor: User, thread: Thread, verb: str, **changes) -> Thread:
    ensure_writable(thread.community)
    for name, value in changes.items():
        setattr(thread, name, value)
    thread.save(update_fields=list(changes))
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb=verb,
        target=thread,
        data={k: str(v) for k, v in changes.items() if k != "closing_summary"},
    )
    return thread


@transaction.atomic
def thread_pin(*, actor: User, thread: Thread, pinned: bool) -> Thread:
    return _thread_moderation(
        actor,
        thread,
        "community.thread_pinned" if pinned else "community.thread_unpinned",
        is_pinned=pinned,
    )


@transaction.atomic
def thread_lock(*, actor: User, thread: Thread, locked: bool) -> Thread:
    return _thread_moderation(
        actor,
        thread,
        "community.thread_locked" if locked else "community.thread_unlocked",
        is_locked=locked,
    )


@transaction.atomic
def thread_close(*, actor: User, thread: Thread, summary: str) -> Thread:
    """Close a discussion with the articulated summary the moderator writes."""
    if thread.is_closed:
        raise ValidationError(_("This discussion is already closed."))
    if not summary.strip():
        raise ValidationError({"summary": _("Write a closing summary.")})
    return _thread_moderation(
        actor,
        thread,
        "community.thread_closed",
        status=Thread.Status.CLOSED,
        closing_summary=summary.strip(),
        closed_by=actor,
        closed_at=timezone.now(),
    )


@transaction.atomic
def thread_reopen(*, actor: User, thread: Thread) -> Thread:
    """Reopen a closed discussion; its closing summary is kept in the audit log."""
    if not thread.is_closed:
        raise ValidationError(_("This discussion is open."))
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.thread_summary_archived",
        target=thread,
        data={"closing_summary": thread.closing_summary},
    )
    return _thread_moderation(
        actor,
        thread,
        "community.thread_reopened",
        status=Thread.Status.OPEN,
        closing_summary="",
        closed_by=None,
        closed_at=None,
    )


@transaction.atomic
def thread_tags_set(*, actor: User, thread: Thread, tags: list[Tag]) -> Thread:
    ensure_writable(thread.community)
    _check_tags(thread.community, tags)
    thread.tags.set(tags)
    audit_record(
        organization=thread.organization,
        actor=actor,
        verb="community.thread_tagged",
        target=thread,
        data={"tags": sorted(t.slug for t in tags)},
    )
    return thread


@transaction.atomic
def post_flag(*, actor: User, post: Post, reason: str) -> PostFlag:
    """A member reports a post to the moderators with a reason."""
    ensure_writable(post.community)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the post needs a moderator.")})
    if PostFlag.objects.filter(post=post, flagged_by=actor, status=PostFlag.Status.OPEN).exists():
        raise ValidationError(_("You have already flagged this post."))
    flag = PostFlag.objects.create(
        organization=post.organization,
        community=post.community,
        post=post,
        flagged_by=actor,
        reason=reason.strip(),
    )
    audit_record(
        organization=post.organization,
        actor=actor,
        verb="community.post_flagged",
        target=post.thread,
        data={"post": post.pk, "flag": flag.pk},
    )
    return flag


@transaction.atomic
def flag_resolve(*, actor: User, flag: PostFlag, uphold: bool, note: str = "") -> PostFlag:
    """A moderator upholds a flag (the post is hidden) or dismisses it."""
    ensure_writable(flag.community)
    if flag.status != PostFlag.Status.OPEN:
        raise ValidationError(_("This flag has already been dealt with."))
    flag.status = PostFlag.Status.UPHELD if uphold else PostFlag.Status.DISMISSED
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.resolution_note = note.strip()
    flag.save()
    if uphold and not flag.post.is_hidden:
        flag.post.is_hidden = True
        flag.post.save(update_fields=["is_hidden"])
    audit_record(
        organization=flag.organization,
        actor=actor,
        verb="community.flag_upheld" if uphold else "community.flag_dismissed",
        target=flag.post.thread,
        data={"post": flag.post_id, "flag": flag.pk},
    )
    return flag


def _check_owner(community: Community, owner: User) -> None:
    if not OrganizationMembership.objects.filter(
        organization=community.organization, user=owner
    ).exists():
        raise ValidationError({"owner": _("The owner must be a member of the organization.")})


@transaction.atomic
def escalation_create(
    *,
    actor: User,
    community: Community,
    title: str,
    escalated_to: str,
    owner: User,
    description: str = "",
) -> Escalation:
    """Record a problem the CoP cannot solve itself and who follows it up."""
    ensure_writable(community)
    if escalated_to not in Escalation.Target.values:
        raise ValidationError({"escalated_to": _("Choose who it is escalated to.")})
    if not title.strip():
        raise ValidationError({"title": _("Describe the problem.")})
    _check_owner(community, owner)
    escalation = Escalation.objects.create(
        organization=community.organization,
        community=community,
        title=title.strip(),
        description=description.strip(),
        escalated_to=escalated_to,
        owner=owner,
        created_by=actor,
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.escalation_created",
        target=escalation,
        data={"escalated_to": escalated_to, "owner": owner.email},
    )
    return escalation


@transaction.atomic
def escalation_update(
    *, actor: User, escalation: Escalation, status: str, owner: User, outcome: str = ""
) -> Escalation:
    ensure_writable(escalation.community)
    if status not in Escalation.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    _check_owner(escalation.community, owner)
    escalation.status = status
    escalation.owner = owner
    escalation.outcome = outcome.strip()
    escalation.save()
    audit_record(
        organization=escalation.organization,
        actor=actor,
        verb="community.escalation_updated",
        target=escalation,
        data={"status": status, "owner": owner.email},
    )
    return escalation


def mention_notify(*, mention: Mention) -> bool:
    """Email the mentioned person in their language, once. Returns whether it was sent."""
    with transaction.atomic():
        mention = (
            Mention.objects.select_for_update(of=("self",))
            .select_related("post__thread__community", "post__author", "user", "organization")
            .get(pk=mention.pk)
        )
        if mention.notified_at is not None:
            return False
        thread = mention.post.thread
        if subscription_of(user=mention.user, thread=thread) == SubscriptionLevel.MUTE:
            # Muted threads never notify, mentions included; the mention stays recorded.
            mention.notified_at = timezone.now()
            mention.save(update_fields=["notified_at"])
            return False
        link = absolute_url(
            "communities:thread_detail",
            org_slug=mention.organization.slug,
            community_slug=thread.community.slug,
            thread_id=thread.pk,
        )
        author = mention.post.author.display_name if mention.post.author else ""
        send_in_language(
            user=mention.user,
            subject=lambda: (
                _("%(person)s mentioned you in “%(title)s”")
                % {"person": author, "title": thread.title}
            ),
            template="communities/emails/mention.txt",
            context={"mention": mention, "thread": thread, "link": link},
        )
        mention.notified_at = timezone.now()
        mention.save(update_fields=["notified_at"])
    return True
