"""API representations of series, sessions, attendance, polls, decisions and action items.

Writes go through services; serializers only shape and check input types. Person
fields accept user ids of the organization's members (``organization`` is passed
in by the view).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from rest_framework import serializers

from communities.models import Community
from copcore.api_support import restrict_related
from copcore.models import User
from knowledge.models import TestOfChange
from measurement.models import Site
from sessions.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceResponse,
    CasePresentation,
    Decision,
    Poll,
    Session,
    SessionKind,
    SessionSeries,
)

if TYPE_CHECKING:
    _SerializerMixin = serializers.Serializer
else:
    _SerializerMixin = object


class _OrgPeopleMixin(_SerializerMixin):
    """Restricts every user field to members of the view's organization."""

    person_fields: tuple[str, ...] = ()

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            people = User.objects.filter(memberships__organization=organization)
            for name in self.person_fields:
                if self.fields.get(name) is None:
                    continue
                restrict_related(self, name, people)


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name"]


class SeriesSerializer(_OrgPeopleMixin, serializers.ModelSerializer):
    person_fields = ("rota",)
    rota = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.none(), required=False, write_only=True
    )
    rota_people = serializers.SerializerMethodField()

    class Meta:
        model = SessionSeries
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "rrule",
            "time_zone",
            "first_date",
            "start_time",
            "duration_minutes",
            "video_link",
            "is_active",
            "generated_until",
            "rota",
            "rota_people",
        ]
        read_only_fields = ["is_active", "generated_until"]

    def get_rota_people(self, series) -> list[dict]:
        return [
            {"position": e.position + 1, "id": e.user_id, "display_name": e.user.display_name}
            for e in series.rota.all()
        ]


class SessionSerializer(_OrgPeopleMixin, serializers.ModelSerializer):
    person_fields = ("facilitator",)
    facilitator = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    facilitator_name = serializers.CharField(
        source="facilitator.display_name", read_only=True, default=None
    )
    kind = serializers.ChoiceField(choices=SessionKind.choices)

    class Meta:
        model = Session
        fields = [
            "id",
            "series",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "time_zone",
            "status",
            "cancellation_reason",
            "facilitator",
            "facilitator_name",
            "video_link",
            "agenda",
            "recording_link",
            "summary",
            "action_plan",
            "sequence",
        ]
        read_only_fields = ["series", "status", "cancellation_reason", "sequence"]


class SessionUpdateSerializer(serializers.Serializer):
    """Record fields and, to move the session, both new times."""

    title = serializers.CharField(max_length=200, required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)
    video_link = serializers.URLField(required=False, allow_blank=True)
    recording_link = serializers.URLField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    action_plan = serializers.CharField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        if ("starts_at" in attrs) != ("ends_at" in attrs):
            raise serializers.ValidationError(
                _("To move a session give both starts_at and ends_at.")
            )
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AttendanceSerializer(serializers.ModelSerializer):
    """A person's reply as stored: ``none`` too (invited, no reply yet)."""

    user = PersonSerializer(read_only=True)
    response = serializers.ChoiceField(choices=AttendanceResponse.choices, read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "user", "response", "attended"]
        read_only_fields = ["attended"]


class AttendanceReplySerializer(serializers.Serializer):
    """The caller's own reply: only these two can be given."""

    response = serializers.ChoiceField(
        choices=[AttendanceResponse.REGISTERED, AttendanceResponse.APOLOGIES]
    )


class AttendanceMarkSerializer(_OrgPeopleMixin, serializers.Serializer):
    person_fields = ("attended", "absent")
    attended = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.none())
    absent = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.none(), required=False, default=list
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PollOptionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    votes = serializers.IntegerField()
    percent = serializers.IntegerField()


class PollResultSerializer(serializers.Serializer):
    """A poll with its counts; never who chose what."""

    id = serializers.IntegerField()
    question = serializers.CharField()
    is_open = serializers.BooleanField()
    anonymous = serializers.BooleanField()
    multiple_choice = serializers.BooleanField()
    voter_count = serializers.IntegerField()
    options = PollOptionResultSerializer(many=True)


class PollCreateSerializer(serializers.ModelSerializer):
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=2, max_length=30
    )

    class Meta:
        model = Poll
        fields = ["question", "options", "multiple_choice", "anonymous"]


class PollStateSerializer(serializers.Serializer):
    is_open = serializers.BooleanField()


class VoteSerializer(serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class DecisionSerializer(_OrgPeopleMixin, serializers.ModelSerializer):
    person_fields = ("owner",)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "text", "owner", "owner_name", "created_at"]
        read_only_fields = ["created_at"]


class ActionItemSerializer(_OrgPeopleMixin, serializers.ModelSerializer):
    person_fields = ("owner",)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    session = serializers.PrimaryKeyRelatedField(
        queryset=Session.objects.with_scopes_disabled().none()
    )
    test_of_change = serializers.PrimaryKeyRelatedField(
        queryset=TestOfChange.objects.with_scopes_disabled().none(),
        required=False,
        allow_null=True,
    )
    is_overdue = serializers.BooleanField(read_only=True)
    community: serializers.SlugRelatedField[Community] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "community",
            "session",
            "owner",
            "owner_name",
            "description",
            "due_on",
            "status",
            "test_of_change",
            "is_overdue",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            restrict_related(self, "session", Session.objects.filter(community=community))
            restrict_related(
                self, "test_of_change", TestOfChange.objects.filter(community=community)
            )


class CaseSerializer(_OrgPeopleMixin, serializers.ModelSerializer):
    """An ECHO case. Text that looks identifying is refused (400, the findings per
    field) unless ``confirm_deidentified`` is true."""

    person_fields = ("presenter",)
    presenter = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    presenter_name = serializers.CharField(source="presenter.display_name", read_only=True)
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.with_scopes_disabled().none(), required=False, allow_null=True
    )
    confirm_deidentified = serializers.BooleanField(write_only=True, default=False)

    class Meta:
        model = CasePresentation
        fields = [
            "id",
            "presenter",
            "presenter_name",
            "site",
            "title",
            "case_summary",
            "questions",
            "recommendations",
            "identifying_warning_overridden",
            "confirm_deidentified",
            "created_at",
        ]
        read_only_fields = ["identifying_warning_overridden", "created_at"]

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        if organization is not None:
            restrict_related(self, "site", Site.objects.filter(organization=organization))


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
