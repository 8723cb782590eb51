"""Sessions API: series, sessions, attendance, polls and votes, decisions, action items.

Thin DRF views. The community must be viewable (else 404); each write checks the
community permission (else 403) and calls a service (its ValidationError becomes a
400 in the one error shape).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from copcore.api_support import OrganizationScopedMixin, request_user
from sessions import access, selectors, services
from sessions.models import (
    ActionItem,
    Attendance,
    CasePresentation,
    Decision,
    Poll,
    Session,
    SessionSeries,
)
from sessions.permissions import SessionPermission as SP
from sessions.serializers import (
    ActionItemSerializer,
    ActionStatusSerializer,
    AttendanceMarkSerializer,
    AttendanceReplySerializer,
    AttendanceSerializer,
    CancelSerializer,
    CaseSerializer,
    DecisionSerializer,
    MarkedSerializer,
    PollCreateSerializer,
    PollResultSerializer,
    PollStateSerializer,
    SeriesSerializer,
    SessionSerializer,
    SessionUpdateSerializer,
    VoteSerializer,
)


class _CommunityMixin(OrganizationScopedMixin):
    def get_community(self):
        if not hasattr(self, "_community"):
            self._community = access.viewable_community(
                user=request_user(self.request),
                organization=self.organization,
                slug=self.kwargs["community_slug"],
            )
        return self._community

    def get_session(self):
        if not hasattr(self, "_session"):
            self._session = selectors.session_get(
                community=self.get_community(), session_id=self.kwargs["session_id"]
            )
        return self._session

    @property
    def schema_only(self) -> bool:
        """True while drf-spectacular inspects the view without a real request."""
        return getattr(self, "swagger_fake_view", False)

    def require(self, permission: str) -> None:
        access.require(request_user(self.request), permission, self.get_community())


class SeriesListView(_CommunityMixin, generics.ListCreateAPIView):
    """A CoP's meeting series. POST creates one (manage_sessions) and schedules its
    sessions six months ahead; an RRULE that cannot be parsed is a 400."""

    serializer_class = SeriesSerializer

    def get_queryset(self):
        if self.schema_only:
            return SessionSeries.objects.with_scopes_disabled().none()
        return selectors.series_for_community(community=self.get_community()).prefetch_related(
            "rota__user"
        )

    def get_serializer(self, *args, **kwargs):
        return SeriesSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        community = self.get_community()
        self.require(SP.MANAGE_SESSIONS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        series = services.series_create(
            actor=request.user, community=community, **{**data, "rota": data.get("rota", [])}
        )
        return Response(self.get_serializer(series).data, status=status.HTTP_201_CREATED)


class SeriesDetailView(_CommunityMixin, generics.RetrieveAPIView):
    serializer_class = SeriesSerializer

    def get_object(self):
        return selectors.series_get(
            community=self.get_community(), series_id=self.kwargs["series_id"]
        )


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Search title, agenda, summary and decisions."),
        OpenApiParameter("when", str, enum=["upcoming", "past", "all"]),
    ]
)
class SessionListView(_CommunityMixin, generics.ListCreateAPIView):
    """A CoP's sessions (upcoming by default). POST adds a one-off session."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        if self.schema_only:
            return Session.objects.with_scopes_disabled().none()
        q = self.request.query_params.get("q", "")
        when = self.request.query_params.get("when") or ("all" if q else "upcoming")
        if when not in ("upcoming", "past", "all"):
            when = "upcoming"
        return selectors.sessions_for_community(community=self.get_community(), q=q, when=when)

    def get_serializer(self, *args, **kwargs):
        return SessionSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        community = self.get_community()
        self.require(SP.MANAGE_SESSIONS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        session = services.session_create(
            actor=request.user,
            community=community,
            title=data["title"],
            kind=data["kind"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            time_zone=data["time_zone"],
            video_link=data.get("video_link", ""),
            agenda=data.get("agenda", ""),
            facilitator=data.get("facilitator"),
        )
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(_CommunityMixin, generics.RetrieveUpdateAPIView):
    """One session. PATCH updates its record and, with both times, moves it."""

    serializer_class = SessionSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.get_session()

    @extend_schema(request=SessionUpdateSerializer, responses=SessionSerializer)
    def patch(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.MANAGE_SESSIONS)
        serializer = SessionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        starts_at, ends_at = data.pop("starts_at", None), data.pop("ends_at", None)
        with transaction.atomic():  # a move and a record change succeed or fail together
            if starts_at is not None:
                services.session_move(
                    actor=request.user, session=session, starts_at=starts_at, ends_at=ends_at
                )
            if data:
                services.session_update_record(actor=request.user, session=session, **data)
        return Response(SessionSerializer(session).data)


class SessionCancelView(_CommunityMixin, generics.GenericAPIView):
    serializer_class = CancelSerializer

    @extend_schema(responses=SessionSerializer)
    def post(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.MANAGE_SESSIONS)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(
            actor=request.user, session=session, reason=serializer.validated_data["reason"]
        )
        return Response(SessionSerializer(session).data)


class AttendanceListView(_CommunityMixin, generics.ListCreateAPIView):
    """Replies and attendance of a session. POST is the caller's own reply
    (``registered`` or ``apologies``; needs attend)."""

    serializer_class = AttendanceSerializer

    def get_queryset(self):
        if self.schema_only:
            return Attendance.objects.with_scopes_disabled().none()
        return selectors.attendance_for_export(session=self.get_session())

    @extend_schema(request=AttendanceReplySerializer, responses={201: AttendanceSerializer})
    def post(self, request, *args, **kwargs):
        return self.create(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.ATTEND)
        serializer = AttendanceReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attendance = services.attendance_respond(
            actor=request.user, session=session, response=serializer.validated_data["response"]
        )
        return Response(self.get_serializer(attendance).data, status=status.HTTP_201_CREATED)


class AttendanceMarkView(_CommunityMixin, generics.GenericAPIView):
    """The facilitator marks who attended (record_attendance)."""

    serializer_class = AttendanceMarkSerializer

    @extend_schema(responses=MarkedSerializer)
    def post(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.RECORD_ATTENDANCE)
        serializer = AttendanceMarkSerializer(data=request.data, organization=self.organization)
        serializer.is_valid(raise_exception=True)
        marked = services.attendance_mark(
            actor=request.user,
            session=session,
            attended=serializer.validated_data["attended"],
            absent=serializer.validated_data.get("absent", []),
        )
        return Response({"marked": marked})


class PollListView(_CommunityMixin, generics.ListCreateAPIView):
    """A session's polls with their counts. POST opens a poll (manage_sessions)."""

    def get_serializer_class(self):
        return PollCreateSerializer if self.request.method == "POST" else PollResultSerializer

    def get_queryset(self):
        if self.schema_only:
            return Poll.objects.with_scopes_disabled().none()
        return selectors.polls_with_results().filter(session=self.get_session())

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # every list of the API is paginated
        return self.get_paginated_response([selectors.poll_results(p) for p in page])

    @extend_schema(request=PollCreateSerializer, responses={201: PollResultSerializer})
    def post(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.MANAGE_SESSIONS)
        serializer = PollCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        poll = services.poll_create(
            actor=request.user, session=session, **serializer.validated_data
        )
        poll = selectors.poll_get(session=session, poll_id=poll.pk)
        return Response(selectors.poll_results(poll), status=status.HTTP_201_CREATED)


class PollDetailView(_CommunityMixin, generics.GenericAPIView):
    """A poll's live results. PATCH ``{"is_open": false}`` closes it (manage_sessions)."""

    serializer_class = PollResultSerializer

    def get_object(self):
        return selectors.poll_get(session=self.get_session(), poll_id=self.kwargs["poll_id"])

    def get(self, request, *args, **kwargs):
        return Response(selectors.poll_results(self.get_object()))

    @extend_schema(request=PollStateSerializer, responses=PollResultSerializer)
    def patch(self, request, *args, **kwargs):
        poll = self.get_object()
        self.require(SP.MANAGE_SESSIONS)
        serializer = PollStateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.poll_set_open(
            actor=request.user, poll=poll, is_open=serializer.validated_data["is_open"]
        )
        return Response(selectors.poll_results(self.get_object()))


class PollVoteView(_CommunityMixin, generics.GenericAPIView):
    """Vote once (attend). A closed poll or a second vote is a 400 and changes nothing."""

    serializer_class = VoteSerializer

    @extend_schema(responses={201: PollResultSerializer})
    def post(self, request, *args, **kwargs):
        session = self.get_session()
        poll = selectors.poll_get(session=session, poll_id=self.kwargs["poll_id"])
        self.require(SP.ATTEND)
        serializer = VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.poll_vote(
            actor=request.user, poll=poll, option_ids=serializer.validated_data["options"]
        )
        poll = selectors.poll_get(session=session, poll_id=poll.pk)
        return Response(selectors.poll_results(poll), status=status.HTTP_201_CREATED)


class CaseListView(_CommunityMixin, generics.ListCreateAPIView):
    """A session's ECHO case presentations. POST presents one (attend; participants
    present their own cases, managers anyone's)."""

    serializer_class = CaseSerializer

    def get_queryset(self):
        if self.schema_only:
            return CasePresentation.objects.with_scopes_disabled().none()
        return (
            self.get_session()
            .cases.select_related("presenter", "site")
            .order_by("created_at", "id")
        )

    def get_serializer(self, *args, **kwargs):
        if self.schema_only:
            return CaseSerializer(*args, **kwargs)
        return CaseSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.ATTEND)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        manage = access.can(request.user, SP.MANAGE_SESSIONS, self.get_community())
        if data["presenter"] != request.user and not manage:
            raise PermissionDenied
        case = services.case_create(
            actor=request.user,
            session=session,
            presenter=data["presenter"],
            site=data.get("site"),
            title=data["title"],
            case_summary=data["case_summary"],
            questions=data["questions"],
            recommendations=data.get("recommendations", ""),
            confirmed_deidentified=data["confirm_deidentified"],
        )
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)


class DecisionListView(_CommunityMixin, generics.ListCreateAPIView):
    serializer_class = DecisionSerializer

    def get_queryset(self):
        if self.schema_only:
            return Decision.objects.with_scopes_disabled().none()
        return self.get_session().decisions.select_related("owner").order_by("created_at", "id")

    def get_serializer(self, *args, **kwargs):
        return DecisionSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        session = self.get_session()
        self.require(SP.MANAGE_SESSIONS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_record(
            actor=request.user, session=session, **serializer.validated_data
        )
        return Response(self.get_serializer(decision).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, description="open, in_progress, done, dropped"),
        OpenApiParameter("overdue", bool),
        OpenApiParameter("owner", int),
    ]
)
class ActionItemListView(_CommunityMixin, generics.ListCreateAPIView):
    """A CoP's action items (who will test what by when). POST records one for a
    session of the CoP (manage_sessions)."""

    serializer_class = ActionItemSerializer

    def get_queryset(self):
        if self.schema_only:
            return ActionItem.objects.with_scopes_disabled().none()
        params = self.request.query_params
        owner = params.get("owner", "")
        return selectors.action_items_for_community(
            community=self.get_community(),
            status=params.get("status", ""),
            overdue=params.get("overdue") in ("1", "true", "True"),
            owner_id=int(owner) if owner.isdigit() else None,
        )

    def get_serializer(self, *args, **kwargs):
        if self.schema_only:
            return ActionItemSerializer(*args, **kwargs)
        return ActionItemSerializer(
            *args, organization=self.organization, community=self.get_community(), **kwargs
        )

    def create(self, request, *args, **kwargs):
        self.get_community()
        self.require(SP.MANAGE_SESSIONS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        item = services.action_item_create(actor=request.user, **data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)


class ActionItemDetailView(_CommunityMixin, generics.RetrieveUpdateAPIView):
    """One action item. PATCH ``{"status": ...}`` (its owner or a session manager)."""

    serializer_class = ActionItemSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.action_item_get(
            community=self.get_community(), item_id=self.kwargs["item_id"]
        )

    @extend_schema(request=ActionStatusSerializer, responses=ActionItemSerializer)
    def patch(self, request, *args, **kwargs):
        item = self.get_object()
        if not access.can_update_action_item(request.user, item, self.get_community()):
            raise PermissionDenied
        serializer = ActionStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.action_item_set_status(
            actor=request.user, item=item, status=serializer.validated_data["status"]
        )
        return Response(ActionItemSerializer(item).data)


class MyActionItemListView(OrganizationScopedMixin, generics.ListAPIView):
    """The caller's own action items across the organization's CoPs they can view."""

    serializer_class = ActionItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.with_scopes_disabled().none()
        return selectors.action_items_for_person(
            organization=self.organization, user=request_user(self.request)
        )
