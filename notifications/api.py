"""API: the caller's own preferences and delivery log; bounces recorded by org admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from copcore.api_support import OrganizationScopedMixin, request_user
from copcore.permissions import OrgPermission, org_role_has_perm
from notifications import selectors, services
from notifications.models import DeliveryRecord
from notifications.serializers import (
    BounceInputSerializer,
    BounceSerializer,
    DeliverySerializer,
    PreferenceSerializer,
)


class PreferenceView(OrganizationScopedMixin, generics.GenericAPIView):
    """The caller's email preferences; per-CoP opt-outs are those of this organization."""

    serializer_class = PreferenceSerializer

    def _payload(self, pref) -> dict:
        data = PreferenceSerializer(pref).data
        data["opted_out_communities"] = sorted(
            selectors.opted_out_ids(user=request_user(self.request), organization=self.organization)
        )
        return data

    def get_object(self):
        return services.preference_get_or_default(user=request_user(self.request))

    def get(self, request, *args, **kwargs):
        return Response(self._payload(self.get_object()))

    def put(self, request, *args, **kwargs):
        current = services.preference_get_or_default(user=request.user)
        serializer = PreferenceSerializer(current, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        opted = data.get(
            "opted_out_communities",
            selectors.opted_out_ids(user=request.user, organization=self.organization),
        )
        pref = services.preference_update(
            actor=request.user,
            digest_enabled=data.get("digest_enabled", current.digest_enabled),
            frequency=data.get("frequency", current.frequency),
            weekday=data.get("weekday", current.weekday),
            hour=data.get("hour", current.hour),
            include_content=data.get("include_content", current.include_content),
            disabled_reminders=data.get("disabled_reminders", current.disabled_reminders),
            organization=self.organization,
            opted_out_community_ids=set(opted),
            followed_replies=data.get("followed_replies", current.followed_replies),
        )
        return Response(self._payload(pref))


class DeliveryListView(OrganizationScopedMixin, generics.ListAPIView):
    """The caller's delivery log, newest first; ``?kind=`` filters one kind."""

    serializer_class = DeliverySerializer
    queryset = DeliveryRecord.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return selectors.delivery_log(
            user=request_user(self.request), kind=self.request.query_params.get("kind", "")
        )


class BounceCreateView(OrganizationScopedMixin, generics.GenericAPIView):
    """Record a bounce for a member's address (org admins; e.g. from a mail provider's
    bounce webhook relayed by an admin tool)."""

    serializer_class = BounceInputSerializer

    @extend_schema(request=BounceInputSerializer, responses={201: BounceSerializer})
    def post(self, request, *args, **kwargs):
        if not org_role_has_perm(self.membership.role, OrgPermission.INVITE_MEMBERS):
            raise PermissionDenied
        serializer = BounceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bounce = services.bounce_record(
            actor=request.user, organization=self.organization, **serializer.validated_data
        )
        return Response(BounceSerializer(bounce).data, status=status.HTTP_201_CREATED)
