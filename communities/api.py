"""Communities API: communities with phase and checklist, phase transitions, roles,
members and joining, charter versions and acknowledgements, workstreams, threads and
posts. Every view is scoped to the URL's organization; another organization's object is
a 404, a visible object without the role for the action a 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from communities import selectors, services
from communities.models import (
    CharterAcknowledgement,
    CharterVersion,
    Community,
    CommunityRoleAssignment,
    JoinRequest,
    PhaseTransition,
    Post,
    Thread,
    Workstream,
)
from communities.permissions import CommunityPermission as P
from communities.serializers import (
    CharterAcknowledgementSerializer,
    CharterVersionSerializer,
    CommunityDetailSerializer,
    CommunityMemberSerializer,
    CommunitySerializer,
    JoinDecisionSerializer,
    JoinRequestSerializer,
    PhaseTransitionSerializer,
    PostSerializer,
    RoleAssignmentSerializer,
    RoleEndSerializer,
    ThreadSerializer,
    WorkstreamSerializer,
)
from copcore.api_support import OrganizationScopedMixin, request_user
from copcore.responses import error_body


class CommunityScopedMixin(OrganizationScopedMixin):
    """The community of the URL and the caller's permissions on it, read once."""

    @cached_property
    def community(self) -> Community:
        return selectors.community_get(
            organization=self.organization, slug=self.kwargs["community_slug"]
        )

    @cached_property
    def perms(self) -> frozenset[str]:
        membership = self.membership
        return selectors.community_permissions(
            user=request_user(self.request),
            community=self.community,
            org_role=membership.role if membership else None,
        )

    def require(self, permission: str) -> None:
        if permission not in self.perms:
            raise PermissionDenied


class CommunityListView(OrganizationScopedMixin, generics.ListAPIView):
    serializer_class = CommunitySerializer
    queryset = Community.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.communities_visible(organization=self.organization)


class CommunityDetailView(CommunityScopedMixin, generics.RetrieveAPIView):
    """A community with its design, expected results, phase and design checklist."""

    serializer_class = CommunityDetailSerializer
    queryset = Community.objects.none()

    def get_object(self):
        # The list's annotated row, so people_count is a number here too.
        return selectors.communities_visible(organization=self.organization).get(
            pk=self.community.pk
        )


class PhaseTransitionListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """The phase timeline. POST moves the community (change_phase); a refused move is a
    400 whose message lists exactly what is missing."""

    serializer_class = PhaseTransitionSerializer
    queryset = PhaseTransition.objects.none()
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.VIEW)
        return selectors.transitions(community=self.community)

    def create(self, request, *args, **kwargs):
        self.require(P.CHANGE_PHASE)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        transition = services.community_phase_change(
            actor=request.user,
            community=self.community,
            to_phase=data["to_phase"],
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(transition).data, status=status.HTTP_201_CREATED)


class RoleAssignmentListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """Role terms of a community, current and past. POST assigns a role (manage_roles)."""

    serializer_class = RoleAssignmentSerializer
    queryset = CommunityRoleAssignment.objects.none()
    filterset_fields = ["role"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.role_assignments(community=self.community)

    def get_serializer(self, *args, **kwargs):
        if getattr(self, "swagger_fake_view", False):
            return RoleAssignmentSerializer(*args, **kwargs)
        return RoleAssignmentSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        self.require(P.MANAGE_ROLES)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.role_assign(
            actor=request.user, community=self.community, **serializer.validated_data
        )
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)


class RoleEndView(CommunityScopedMixin, generics.GenericAPIView):
    """End a term (manage_roles). Ending the last convener's term is refused with 409
    ``last_convener``: a CoP always keeps someone able to run it."""

    serializer_class = RoleEndSerializer
    queryset = CommunityRoleAssignment.objects.none()

    @extend_schema(request=RoleEndSerializer, responses={200: RoleAssignmentSerializer})
    def post(self, request, *args, **kwargs):
        assignment = selectors.role_assignment_get(
            community=self.community, pk=self.kwargs["assignment_id"]
        )
        self.require(P.MANAGE_ROLES)
        serializer = RoleEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            assignment = services.role_end(
                actor=request.user,
                assignment=assignment,
                ends_on=serializer.validated_data.get("ends_on"),
                reason=serializer.validated_data["reason"].strip(),
            )
        except ValidationError as error:
            if error.code != "last_convener":
                raise
            # The request is well formed but conflicts with the CoP's state: another
            # convener must be named first.
            return Response(
                error_body("last_convener", " ".join(error.messages)),
                status=status.HTTP_409_CONFLICT,
            )
        return Response(RoleAssignmentSerializer(assignment).data)


class MemberListView(CommunityScopedMixin, generics.ListAPIView):
    """The member directory; ``?expertise=`` keeps people whose expertise matches."""

    serializer_class = CommunityMemberSerializer
    queryset = CommunityRoleAssignment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.VIEW_DISCUSSIONS)
        return selectors.member_directory(
            community=self.community, expertise=self.request.query_params.get("expertise", "")
        )


class JoinView(CommunityScopedMixin, generics.GenericAPIView):
    """Join a public community (the caller becomes a member)."""

    serializer_class = RoleAssignmentSerializer
    queryset = CommunityRoleAssignment.objects.none()

    @extend_schema(request=None, responses={201: RoleAssignmentSerializer})
    def post(self, request, *args, **kwargs):
        assignment = services.community_join(actor=request.user, community=self.community)
        return Response(RoleAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class JoinRequestListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """GET: join requests (manage_members). POST: ask to join a restricted community."""

    serializer_class = JoinRequestSerializer
    queryset = JoinRequest.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.MANAGE_MEMBERS)
        return selectors.join_requests(community=self.community)

    def get_serializer(self, *args, **kwargs):
        if getattr(self, "swagger_fake_view", False):
            return JoinRequestSerializer(*args, **kwargs)
        return JoinRequestSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        join_request = services.join_request_create(
            actor=request.user, community=self.community, **serializer.validated_data
        )
        return Response(self.get_serializer(join_request).data, status=status.HTTP_201_CREATED)


class JoinRequestDecideView(CommunityScopedMixin, generics.GenericAPIView):
    serializer_class = JoinDecisionSerializer
    queryset = JoinRequest.objects.none()

    @extend_schema(request=JoinDecisionSerializer, responses=JoinRequestSerializer)
    def post(self, request, *args, **kwargs):
        self.require(P.MANAGE_MEMBERS)
        join_request: JoinRequest = selectors.join_request_get(
            community=self.community, pk=self.kwargs["join_request_id"]
        )
        serializer = JoinDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        join_request = services.join_request_decide(
            actor=request.user,
            join_request=join_request,
            approve=serializer.validated_data["decision"] == "approve",
            reason=serializer.validated_data["reason"],
        )
        return Response(JoinRequestSerializer(join_request).data)


class CharterVersionListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """Published charter versions, newest first. POST (edit_charter) publishes the draft,
    after applying any section texts given in the body."""

    serializer_class = CharterVersionSerializer
    queryset = CharterVersion.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.VIEW)
        return selectors.charter_versions(community=self.community)

    def create(self, request, *args, **kwargs):
        self.require(P.EDIT_CHARTER)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change_note = data.pop("change_note", "")
        if data:
            services.charter_draft_update(
                actor=request.user, community=self.community, sections=data
            )
        version = services.charter_publish(
            actor=request.user, community=self.community, change_note=change_note
        )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)


class CharterVersionDetailView(CommunityScopedMixin, generics.RetrieveAPIView):
    serializer_class = CharterVersionSerializer
    queryset = CharterVersion.objects.none()

    def get_object(self):
        self.require(P.VIEW)
        return selectors.charter_version_get(
            community=self.community, number=self.kwargs["version_number"]
        )


class CharterAcknowledgementListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """GET: who acknowledged this version (edit_charter or manage_members). POST: the
    caller acknowledges it (only the current version)."""

    serializer_class = CharterAcknowledgementSerializer
    queryset = CharterAcknowledgement.objects.none()

    @cached_property
    def version(self):
        return selectors.charter_version_get(
            community=self.community, number=self.kwargs["version_number"]
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if not (P.EDIT_CHARTER in self.perms or P.MANAGE_MEMBERS in self.perms):
            raise PermissionDenied
        return selectors.charter_acknowledgements(version=self.version)

    @extend_schema(request=None, responses={201: CharterAcknowledgementSerializer})
    def post(self, request, *args, **kwargs):
        version = self.version
        self.require(P.POST)
        ack = services.charter_acknowledge(actor=request.user, version=version)
        return Response(self.get_serializer(ack).data, status=status.HTTP_201_CREATED)


class WorkstreamListView(CommunityScopedMixin, generics.ListCreateAPIView):
    serializer_class = WorkstreamSerializer
    queryset = Workstream.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.VIEW_DISCUSSIONS)
        return selectors.workstreams(community=self.community, user=request_user(self.request))

    def create(self, request, *args, **kwargs):
        self.require(P.MANAGE_WORKSTREAMS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workstream = services.workstream_create(
            actor=request.user, community=self.community, **serializer.validated_data
        )
        counted = selectors.workstreams(community=self.community, user=request.user).get(
            pk=workstream.pk
        )
        return Response(self.get_serializer(counted).data, status=status.HTTP_201_CREATED)


class ThreadListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """Threads of a workstream (pinned first). POST starts one with its first post."""

    serializer_class = ThreadSerializer
    queryset = Thread.objects.none()

    @cached_property
    def workstream(self):
        return selectors.workstream_get(community=self.community, pk=self.kwargs["workstream_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.VIEW_DISCUSSIONS)
        return selectors.threads(
            community=self.community,
            workstream=self.workstream,
            user=request_user(self.request),
        )

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        if getattr(self, "swagger_fake_view", False):
            return ThreadSerializer(*args, **kwargs)
        return ThreadSerializer(
            *args, allowed_tags=selectors.tags_allowed(community=self.community), **kwargs
        )

    def create(self, request, *args, **kwargs):
        workstream = self.workstream
        self.require(P.POST)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        thread = services.thread_create(
            actor=request.user,
            workstream=workstream,
            title=data["title"],
            body=data["body"],
            tags=list(data.get("tags", [])),
        )
        thread = selectors.thread_get(community=self.community, pk=thread.pk)
        return Response(self.get_serializer(thread).data, status=status.HTTP_201_CREATED)


class ThreadDetailView(CommunityScopedMixin, generics.RetrieveAPIView):
    serializer_class = ThreadSerializer
    queryset = Thread.objects.none()

    def get_object(self):
        thread = selectors.thread_get(community=self.community, pk=self.kwargs["thread_id"])
        self.require(P.VIEW_DISCUSSIONS)
        # The list's annotated row: the caller's unread count and follow/mute too.
        return selectors.threads(community=self.community, user=request_user(self.request)).get(
            pk=thread.pk
        )

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        if getattr(self, "swagger_fake_view", False):
            return ThreadSerializer(*args, **kwargs)
        return ThreadSerializer(
            *args, allowed_tags=selectors.tags_allowed(community=self.community), **kwargs
        )


class PostListView(CommunityScopedMixin, generics.ListCreateAPIView):
    """Posts of a thread in order (hidden posts have their text removed for everyone but
    moderators). POST replies, optionally to a ``parent`` post."""

    serializer_class = PostSerializer
    queryset = Post.objects.none()

    @cached_property
    def thread(self):
        return selectors.thread_get(community=self.community, pk=self.kwargs["thread_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.require(P.VIEW_DISCUSSIONS)
        return selectors.posts(thread=self.thread, user=request_user(self.request))

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        if getattr(self, "swagger_fake_view", False):
            return PostSerializer(*args, **kwargs)
        return PostSerializer(
            *args, thread=self.thread, moderator=P.MODERATE in self.perms, **kwargs
        )

    def create(self, request, *args, **kwargs):
        thread = self.thread
        self.require(P.POST)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_create(
            actor=request.user,
            thread=thread,
            body=serializer.validated_data["body"],
            parent=serializer.validated_data.get("parent"),
            moderator=P.MODERATE in self.perms,
            attachments=[serializer.validated_data.get("attachment")],
        )
        return Response(self.get_serializer(post).data, status=status.HTTP_201_CREATED)
