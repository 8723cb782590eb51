"""API representations of assets, versions, field notes, the curation queue and tests
of change. Choices (communities, tags, people, sites, measures) are narrowed to the
caller's organization by passing ``organization`` in the serializer context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import Community, Tag
from copcore.api_support import restrict_related
from copcore.models import User
from knowledge.models import (
    TEST_TEXT_FIELDS,
    ActDecision,
    Asset,
    AssetVersion,
    FieldNote,
    PredictionHeld,
    TestOfChange,
    TestStatus,
    Visibility,
)
from measurement.models import Measure, Site

if TYPE_CHECKING:
    _SerializerMixin = serializers.Serializer
else:
    _SerializerMixin = object


class _OrgScopedMixin(_SerializerMixin):
    """Narrows related-field querysets to the organization in the context."""

    scoped_fields: dict[str, type[models.Model]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        for name, model in self.scoped_fields.items():
            if self.fields.get(name) is None:
                continue
            queryset: QuerySet
            if organization is None:
                queryset = model._default_manager.none()
            elif model is User:
                queryset = User.objects.filter(memberships__organization=organization)
            else:
                queryset = model._default_manager.filter(organization=organization)
            restrict_related(self, name, queryset)


class AssetSerializer(serializers.ModelSerializer):
    community: serializers.SlugRelatedField[Community] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    tags: serializers.SlugRelatedField[Tag] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "id",
            "public_id",
            "kind",
            "title",
            "summary",
            "community",
            "owner",
            "owner_name",
            "tags",
            "visibility",
            "status",
            "current_version",
            "source_field_note",
            "curation_note",
            "created_at",
            "updated_at",
            "published_at",
        ]
        read_only_fields = fields

    def get_current_version(self, asset) -> int | None:
        """The current version's number (annotated by the list selectors)."""
        if hasattr(asset, "current_number"):
            return asset.current_number
        return asset.current_version.number if asset.current_version_id else None


class AssetDetailSerializer(AssetSerializer):
    co_owners: serializers.PrimaryKeyRelatedField[User] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta(AssetSerializer.Meta):
        fields = AssetSerializer.Meta.fields + ["co_owners"]
        read_only_fields = fields


class AssetCreateSerializer(_OrgScopedMixin, serializers.Serializer):
    scoped_fields = {"community": Community, "tags": Tag, "co_owners": User}

    community = serializers.SlugRelatedField(
        slug_field="slug", queryset=Community.objects.none(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Asset.Kind.choices)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.COMMUNITY)
    tags = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Tag.objects.none(),
        required=False,
        # With many=True the default belongs to the ManyRelatedField DRF builds (a list);
        # the stubs type it as the child's.
        default=list,  # type: ignore[arg-type]
    )
    co_owners = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=User.objects.none(),
        required=False,
        default=list,
    )
    body = serializers.CharField(required=False, allow_blank=True, default="")
    link = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)
    upload = serializers.FileField(required=False, allow_null=True, default=None)
    change_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )


class AssetUpdateSerializer(_OrgScopedMixin, serializers.Serializer):
    scoped_fields = {"tags": Tag, "co_owners": User, "owner": User}

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Asset.Kind.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    tags = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Tag.objects.none(), required=False
    )
    co_owners = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.none(), required=False
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False)


class VersionFileSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, stored) -> str:
        return reverse(
            "knowledge:file_download",
            kwargs={"org_slug": stored.organization.slug, "file_id": stored.pk},
        )


class AssetVersionSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True, default="")
    file = VersionFileSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AssetVersion
        fields = [
            "number",
            "body",
            "file",
            "link",
            "change_note",
            "restored_from",
            "sha256",
            "author",
            "author_name",
            "created_at",
        ]
        read_only_fields = fields


class CurationActionSerializer(serializers.Serializer):
    """``submit`` (the author), or a curator's ``request_changes`` / ``decline`` (with a
    reason), ``publish`` (assets) or ``promote`` (field notes, with the asset kind)."""

    action = serializers.ChoiceField(
        choices=["submit", "request_changes", "decline", "publish", "promote"]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(
        choices=Asset.Kind.choices, required=False, default=Asset.Kind.LESSON_LEARNED
    )


class SearchResultSerializer(AssetSerializer):
    rank = serializers.FloatField(read_only=True)
    snippet = serializers.SerializerMethodField()

    class Meta(AssetSerializer.Meta):
        fields = AssetSerializer.Meta.fields + ["rank", "snippet"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="HTML-escaped, matches in <mark>"))
    def get_snippet(self, asset) -> str:
        from knowledge.selectors import snippet_html

        return str(snippet_html(getattr(asset, "snippet", "")))


class FieldNoteSerializer(serializers.ModelSerializer):
    community: serializers.SlugRelatedField[Community] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    tags: serializers.SlugRelatedField[Tag] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = FieldNote
        fields = [
            "id",
            "community",
            "author",
            "author_name",
            "title",
            "body",
            "site",
            "tags",
            "status",
            "submitted_at",
            "curation_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FieldNoteCreateSerializer(_OrgScopedMixin, serializers.Serializer):
    scoped_fields = {"community": Community, "tags": Tag, "site": Site}

    community = serializers.SlugRelatedField(slug_field="slug", queryset=Community.objects.none())
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    site: serializers.PrimaryKeyRelatedField[Site] = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), required=False, allow_null=True, default=None
    )
    tags = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Tag.objects.none(),
        required=False,
        # With many=True the default belongs to the ManyRelatedField DRF builds (a list);
        # the stubs type it as the child's.
        default=list,  # type: ignore[arg-type]
    )


class QueueItemSerializer(serializers.Serializer):
    item_type = serializers.ChoiceField(source="kind", choices=["field_note", "asset"])
    item_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    community = serializers.CharField(source="community.slug", default=None, allow_null=True)
    author = serializers.IntegerField(source="author.pk")
    author_name = serializers.CharField(source="author.display_name")
    submitted_at = serializers.DateTimeField()
    waited_days = serializers.IntegerField()
    overdue = serializers.BooleanField()


class TestOfChangeSerializer(_OrgScopedMixin, serializers.ModelSerializer):
    """A PDSA cycle. On create, ``community`` (slug) is required and
    ``previous_cycle`` links it into a ramp; both are fixed afterwards."""

    __test__ = False
    scoped_fields = {
        "community": Community,
        "tags": Tag,
        "site": Site,
        "measures": Measure,
        "previous_cycle": TestOfChange,
    }

    community = serializers.SlugRelatedField(slug_field="slug", queryset=Community.objects.none())
    tags = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Tag.objects.none(), required=False
    )
    measures: serializers.PrimaryKeyRelatedField[Measure] = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Measure.objects.none(), required=False
    )
    site: serializers.PrimaryKeyRelatedField[Site] = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), required=False, allow_null=True
    )
    previous_cycle = serializers.PrimaryKeyRelatedField(
        queryset=TestOfChange.objects.none(), required=False, allow_null=True
    )
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    status = serializers.ChoiceField(choices=TestStatus.choices, required=False)
    prediction_held = serializers.ChoiceField(
        choices=PredictionHeld.choices, required=False, allow_blank=True
    )
    act_decision = serializers.ChoiceField(
        choices=ActDecision.choices, required=False, allow_blank=True
    )
    next_cycles: serializers.PrimaryKeyRelatedField[TestOfChange] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )

    class Meta:
        model = TestOfChange
        fields = [
            "id",
            "community",
            "author",
            "author_name",
            *TEST_TEXT_FIELDS,
            "site",
            "tags",
            "measures",
            "previous_cycle",
            "next_cycles",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "created_at", "updated_at"]
        validators: list = []

    def service_fields(self) -> dict:
        data = dict(self.validated_data)
        for key in ("community", "previous_cycle"):
            data.pop(key, None)
        return data
