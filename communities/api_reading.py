"""API for each person's place in the discussions: read state, follow and mute, the
accepted answer and "helpful". Scoped like the rest of the communities API: another
organization's thread or post is a 404, a visible one without the right a 403."""

from __future__ import annotations

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from communities import selectors, services, unread
from communities.api import CommunityScopedMixin
from communities.models import Post, PostHelpful, Thread, ThreadReadState
from communities.permissions import CommunityPermission as P
from communities.serializers import (
    AnswerSerializer,
    HelpfulSerializer,
    ReadStateSerializer,
    SubscriptionSerializer,
    ThreadSerializer,
)
from copcore.api_support import request_user


class _ThreadMixin(CommunityScopedMixin):
    @cached_property
    def thread(self) -> Thread:
        thread = selectors.thread_get(community=self.community, pk=self.kwargs["thread_id"])
        self.require(P.VIEW_DISCUSSIONS)
        return thread


class ThreadReadStateView(_ThreadMixin, APIView):
    """The caller's place in a thread: how many posts are unread and the first of them.
    POST moves the place forward (to ``post``, or to the latest post)."""

    serializer_class = ReadStateSerializer

    def _payload(self) -> dict:
        user = request_user(self.request)
        state = ThreadReadState.objects.filter(thread=self.thread, user=user).first()
        first = unread.first_unread_post(thread=self.thread, user=user)
        row = selectors.threads(community=self.community, user=user).get(pk=self.thread.pk)
        count = getattr(row, "unread_count", 0)
        return {
            "last_read_post": state.last_read_post_id if state else None,
            "last_read_at": state.last_read_at if state else None,
            "unread_count": count,
            "first_unread_post": first.pk if first else None,
        }

    @extend_schema(responses=ReadStateSerializer)
    def get(self, request, *args, **kwargs):
        return Response(ReadStateSerializer(self._payload()).data)

    @extend_schema(request=ReadStateSerializer, responses=ReadStateSerializer)
    def post(self, request, *args, **kwargs):
        thread = self.thread
        serializer = ReadStateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        up_to = None
        if "post" in serializer.validated_data:
            up_to = Post.objects.filter(thread=thread, pk=serializer.validated_data["post"]).first()
            if up_to is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"post": ["This post is not in the discussion."]})
        services.thread_mark_read(user=request.user, thread=thread, up_to=up_to)
        return Response(ReadStateSerializer(self._payload()).data)


def _subscription_payload(level: str | None) -> dict:
    return {"level": level or "none"}


class ThreadSubscriptionView(_ThreadMixin, APIView):
    """The caller's follow/mute choice on a thread (``none``: no choice of its own)."""

    serializer_class = SubscriptionSerializer

    @extend_schema(responses=SubscriptionSerializer)
    def get(self, request, *args, **kwargs):
        own = self.thread.subscriptions.filter(user=request.user).values_list("level", flat=True)
        return Response(_subscription_payload(own.first()))

    @extend_schema(request=SubscriptionSerializer, responses=SubscriptionSerializer)
    def put(self, request, *args, **kwargs):
        thread = self.thread
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = serializer.validated_data["level"]
        services.subscription_set(actor=request.user, thread=thread, level=level)
        return Response(_subscription_payload(level if level != "none" else None))


class WorkstreamSubscriptionView(CommunityScopedMixin, APIView):
    """The caller's follow/mute choice on a whole workstream."""

    serializer_class = SubscriptionSerializer

    @cached_property
    def workstream(self):
        workstream = selectors.workstream_get(
            community=self.community, pk=self.kwargs["workstream_id"]
        )
        self.require(P.VIEW_DISCUSSIONS)
        return workstream

    @extend_schema(responses=SubscriptionSerializer)
    def get(self, request, *args, **kwargs):
        own = self.workstream.subscriptions.filter(user=request.user)
        return Response(_subscription_payload(own.values_list("level", flat=True).first()))

    @extend_schema(request=SubscriptionSerializer, responses=SubscriptionSerializer)
    def put(self, request, *args, **kwargs):
        workstream = self.workstream
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = serializer.validated_data["level"]
        services.subscription_set(actor=request.user, workstream=workstream, level=level)
        return Response(_subscription_payload(level if level != "none" else None))


class ThreadAnswerView(_ThreadMixin, APIView):
    """PUT marks a reply as the accepted answer, DELETE takes it back: the thread's
    author or a moderator (anyone else who can read the thread: 403)."""

    serializer_class = AnswerSerializer

    def _thread_data(self):
        thread = selectors.threads(community=self.community, user=request_user(self.request)).get(
            pk=self.thread.pk
        )
        return ThreadSerializer(thread, context={"request": self.request}).data

    @extend_schema(request=AnswerSerializer, responses=ThreadSerializer)
    def put(self, request, *args, **kwargs):
        thread = self.thread
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = selectors.post_get(community=self.community, pk=serializer.validated_data["post"])
        services.thread_answer_accept(
            actor=request.user, thread=thread, post=post, moderator=P.MODERATE in self.perms
        )
        return Response(self._thread_data())

    # DELETE answers 200 with the thread as it now is (drf-spectacular assumes 204).
    @extend_schema(request=None, responses={200: ThreadSerializer})
    def delete(self, request, *args, **kwargs):
        services.thread_answer_clear(
            actor=request.user, thread=self.thread, moderator=P.MODERATE in self.perms
        )
        return Response(self._thread_data())


class PostHelpfulView(CommunityScopedMixin, APIView):
    """PUT says the post was helpful (once per person; not one's own post), DELETE takes
    it back; both answer the post's helpful count."""

    serializer_class = HelpfulSerializer

    @cached_property
    def post_row(self) -> Post:
        post = selectors.post_get(community=self.community, pk=self.kwargs["post_id"])
        self.require(P.VIEW_DISCUSSIONS)
        return post

    def _set(self, request, helpful: bool) -> Response:
        post = self.post_row
        self.require(P.POST)
        count = services.post_helpful_set(actor=request.user, post=post, helpful=helpful)
        return Response({"helpful": helpful, "helpful_count": count}, status=status.HTTP_200_OK)

    @extend_schema(responses=HelpfulSerializer)
    def get(self, request, *args, **kwargs):
        post = self.post_row
        marks = PostHelpful.objects.filter(post=post)
        return Response(
            {"helpful": marks.filter(user=request.user).exists(), "helpful_count": marks.count()}
        )

    @extend_schema(request=None, responses=HelpfulSerializer)
    def put(self, request, *args, **kwargs):
        return self._set(request, True)

    # DELETE answers 200 with the new count (drf-spectacular assumes 204).
    @extend_schema(request=None, responses={200: HelpfulSerializer})
    def delete(self, request, *args, **kwargs):
        return self._set(request, False)
