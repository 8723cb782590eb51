"""Core API: the current user, their organizations, an organization's members."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from copcore import selectors, services
from copcore.api_support import OrganizationScopedMixin, request_user
from copcore.serializers import MemberSerializer, MeSerializer, OrganizationSerializer


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person's profile."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        data = {**MeSerializer(self.request.user).data, **serializer.validated_data}
        services.user_update_profile(
            user=request_user(self.request),
            display_name=data["display_name"],
            time_zone=data["time_zone"],
            language=data["language"],
        )


class OrganizationListView(generics.ListAPIView):
    """Organizations the signed-in person belongs to, with their role in each."""

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return selectors.user_organizations(user=self.request.user)


class MemberListView(OrganizationScopedMixin, generics.ListAPIView):
    """Members of the organization in the URL."""

    serializer_class = MemberSerializer
    filterset_fields = ["role"]

    def get_queryset(self):
        return selectors.organization_members(organization=self.organization)


@extend_schema(summary="Exchange email and password for an API token")
class TokenView(ObtainAuthToken):
    """POST ``username`` (the email address) and ``password``; answers ``{"token": ...}``."""

    permission_classes = [AllowAny]
