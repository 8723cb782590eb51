"""API representations of communities, their roles, joining, charter and discussions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities import design, selectors
from communities.models import (
    CHARTER_SECTIONS,
    CharterAcknowledgement,
    CharterVersion,
    Community,
    CommunityRoleAssignment,
    ExpectedResult,
    JoinRequest,
    PhaseTransition,
    Post,
    PostAttachment,
    Tag,
    Thread,
    Workstream,
)
from copcore.api_support import restrict_related
from copcore.models import User
from copcore.permissions import CommunityRole
from measurement.models import Site


class CommunitySerializer(serializers.ModelSerializer):
    people_count = serializers.IntegerField(read_only=True)
    phase = serializers.CharField(
        read_only=True, help_text="design, implementation, conclusion or archived"
    )

    class Meta:
        model = Community
        fields = [
            "id",
            "slug",
            "name",
            "created_at",
            "people_count",
            "phase",
            "call_type",
            "topic",
        ]


class ExpectedResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpectedResult
        fields = ["position", "description", "how_checked"]


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    complete = serializers.BooleanField()
    saved = serializers.BooleanField()


class CommunityDetailSerializer(CommunitySerializer):
    expected_results = ExpectedResultSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()
    gate_missing = serializers.SerializerMethodField()
    allowed_tags: serializers.SlugRelatedField[Tag] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta(CommunitySerializer.Meta):
        fields = [
            *CommunitySerializer.Meta.fields,
            "problem",
            "objectives",
            "target_audiences",
            "starts_on",
            "planned_end_on",
            "rhythm",
            "rhythm_notes",
            "expected_results",
            "allowed_tags",
            "checklist",
            "gate_missing",
        ]

    def _facts(self, community: Community):
        if not hasattr(self, "_facts_cache"):
            self._facts_cache = selectors.design_facts(community=community)
        return self._facts_cache

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, community: Community) -> list[dict]:
        return [
            {"key": i.key, "title": i.title, "complete": i.complete, "saved": i.saved}
            for i in design.checklist(community, self._facts(community))
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_gate_missing(self, community: Community) -> list[str]:
        """What the community still needs before it may move to implementation."""
        if community.phase != "design":
            return []
        return design.implementation_gate_missing(community, self._facts(community))


class PhaseTransitionSerializer(serializers.ModelSerializer):
    from_phase = serializers.CharField(read_only=True)
    actor_display_name = serializers.CharField(
        source="actor.display_name", read_only=True, default=None
    )

    class Meta:
        model = PhaseTransition
        fields = [
            "id",
            "from_phase",
            "to_phase",
            "reason",
            "note",
            "actor_display_name",
            "created_at",
        ]
        read_only_fields = ["id", "from_phase", "created_at"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    user_display_name = serializers.CharField(source="user.display_name", read_only=True)
    role = serializers.ChoiceField(choices=CommunityRole.choices)

    class Meta:
        model = CommunityRoleAssignment
        fields = ["id", "user", "user_display_name", "role", "starts_on", "ends_on"]
        extra_kwargs = {"starts_on": {"required": False}}

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            restrict_related(
                self, "user", selectors.people_of_organization(organization=organization)
            )


class RoleEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CommunityMemberSerializer(serializers.Serializer):
    """A directory entry."""

    user = serializers.IntegerField(source="user.pk")
    display_name = serializers.CharField(source="user.display_name")
    roles = serializers.ListField(child=serializers.CharField())
    job_title = serializers.CharField(source="profile.job_title", default="")
    site = serializers.CharField(source="profile.site.name", default=None)
    expertise = serializers.CharField(source="profile.expertise", default="")
    planning_group = serializers.BooleanField(source="profile.planning_group", default=False)


class JoinRequestSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending, approved or declined")
    user_display_name = serializers.CharField(source="user.display_name", read_only=True)
    site: serializers.PrimaryKeyRelatedField[Site] = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), required=False, allow_null=True
    )

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "user",
            "user_display_name",
            "job_title",
            "site",
            "expertise",
            "motivation",
            "status",
            "decision_reason",
            "created_at",
            "decided_at",
        ]
        read_only_fields = ["id", "user", "status", "decision_reason", "created_at", "decided_at"]

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            restrict_related(self, "site", Site.objects.filter(organization=organization))


class JoinDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "decline"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CharterVersionSerializer(serializers.ModelSerializer):
    published_by_display_name = serializers.CharField(
        source="published_by.display_name", read_only=True, default=None
    )

    class Meta:
        model = CharterVersion
        fields = [
            "number",
            *[key for key, _label in CHARTER_SECTIONS],
            "change_note",
            "published_at",
            "published_by_display_name",
        ]
        read_only_fields = ["number", "published_at"]
        extra_kwargs = {key: {"required": False} for key, _label in CHARTER_SECTIONS}


class CharterAcknowledgementSerializer(serializers.ModelSerializer):
    user_display_name = serializers.CharField(source="user.display_name", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = CharterAcknowledgement
        fields = ["id", "version", "user", "user_display_name", "acknowledged_at"]
        read_only_fields = fields


class WorkstreamSerializer(serializers.ModelSerializer):
    thread_count = serializers.IntegerField(read_only=True)
    unread_count = serializers.IntegerField(
        read_only=True, default=None, help_text="Posts the caller has not read yet"
    )
    subscription = serializers.CharField(
        read_only=True, default=None, help_text="follow, mute or null (the caller's choice)"
    )

    class Meta:
        model = Workstream
        fields = [
            "id",
            "name",
            "description",
            "thread_count",
            "unread_count",
            "subscription",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class ThreadSerializer(serializers.ModelSerializer):
    author_display_name = serializers.CharField(
        source="author.display_name", read_only=True, default=None
    )
    tags = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Tag.objects.none(), required=False
    )
    post_count = serializers.IntegerField(read_only=True, default=None)
    body = serializers.CharField(write_only=True, help_text="The first message (Markdown).")
    status = serializers.CharField(read_only=True, help_text="open or closed")
    unread_count = serializers.IntegerField(
        read_only=True, default=None, help_text="Posts the caller has not read yet"
    )
    subscription = serializers.CharField(
        read_only=True,
        default=None,
        help_text="follow, mute or null: the caller's choice on the thread, else on its workstream",
    )

    class Meta:
        model = Thread
        fields = [
            "id",
            "workstream",
            "title",
            "body",
            "author_display_name",
            "tags",
            "status",
            "is_pinned",
            "is_locked",
            "closing_summary",
            "post_count",
            "unread_count",
            "subscription",
            "accepted_answer",
            "created_at",
            "last_activity_at",
        ]
        read_only_fields = [
            "id",
            "workstream",
            "accepted_answer",
            "status",
            "is_pinned",
            "is_locked",
            "closing_summary",
            "created_at",
            "last_activity_at",
        ]

    def __init__(self, *args, allowed_tags=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_tags is not None:
            restrict_related(self, "tags", allowed_tags)


class PostAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PostAttachment
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment: PostAttachment) -> str:
        from django.urls import reverse

        return reverse(
            "communities:attachment_download",
            kwargs={
                "org_slug": attachment.organization.slug,
                "community_slug": attachment.community.slug,
                "post_id": attachment.post_id,
                "attachment_id": attachment.pk,
            },
        )


class PostSerializer(serializers.ModelSerializer):
    author_display_name = serializers.CharField(
        source="author.display_name", read_only=True, default=None
    )
    # DRF's metaclass moves declared fields off the class, so this field never shadows
    # ``Field.parent`` (the enclosing serializer) that the stubs see.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Post.objects.none(), required=False, allow_null=True
    )
    attachments = PostAttachmentSerializer(many=True, read_only=True)
    attachment = serializers.FileField(
        write_only=True, required=False, help_text="Optional file, checked by the upload rules."
    )
    helpful_count = serializers.IntegerField(read_only=True, default=None)
    helpful_mine = serializers.BooleanField(
        read_only=True, default=None, help_text="Whether the caller marked it helpful"
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "parent",
            "author_display_name",
            "body",
            "body_html",
            "attachments",
            "attachment",
            "created_at",
            "edited_at",
            "is_hidden",
            "helpful_count",
            "helpful_mine",
        ]
        read_only_fields = ["id", "thread", "body_html", "created_at", "edited_at", "is_hidden"]

    def __init__(self, *args, thread=None, moderator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.moderator = moderator
        if thread is not None:
            restrict_related(self, "parent", Post.objects.filter(thread=thread))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_hidden and not self.moderator:
            data["body"] = ""
            data["body_html"] = ""
            data["attachments"] = []
        return data


class ReadStateSerializer(serializers.Serializer):
    """The caller's place in a thread. POST ``post`` (optional, default the latest) to
    move it forward; it never moves back."""

    post = serializers.IntegerField(
        required=False, write_only=True, help_text="Read up to this post (default: all)"
    )
    last_read_post = serializers.IntegerField(read_only=True, allow_null=True)
    last_read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    unread_count = serializers.IntegerField(read_only=True)
    first_unread_post = serializers.IntegerField(read_only=True, allow_null=True)


class SubscriptionSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=["follow", "mute", "none"],
        help_text="follow, mute, or none to take the choice back",
    )


class AnswerSerializer(serializers.Serializer):
    post = serializers.IntegerField(help_text="The reply accepted as the answer")


class HelpfulSerializer(serializers.Serializer):
    helpful = serializers.BooleanField(read_only=True)
    helpful_count = serializers.IntegerField(read_only=True)
