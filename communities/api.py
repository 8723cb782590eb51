"""Communities API (foundation set: communities and their role terms)."""

from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from communities import selectors, services
from communities.permissions import CommunityPermission
from communities.serializers import CommunitySerializer, RoleAssignmentSerializer
from copcore.api_support import OrganizationScopedMixin


class CommunityListView(OrganizationScopedMixin, generics.ListAPIView):
    serializer_class = CommunitySerializer

    def get_queryset(self):
        return selectors.communities_visible(organization=self.organization)


class CommunityDetailView(OrganizationScopedMixin, generics.RetrieveAPIView):
    serializer_class = CommunitySerializer

    def get_object(self):
        return selectors.community_get(
            organization=self.organization, slug=self.kwargs["community_slug"]
        )


class RoleAssignmentListView(OrganizationScopedMixin, generics.ListCreateAPIView):
    """Role terms of a community, current and past. POST assigns a role (manage_roles)."""

    serializer_class = RoleAssignmentSerializer
    filterset_fields = ["role"]

    def get_community(self):
        return selectors.community_get(
            organization=self.organization, slug=self.kwargs["community_slug"]
        )

    def get_queryset(self):
        return selectors.role_assignments(community=self.get_community())

    def get_serializer(self, *args, **kwargs):
        return RoleAssignmentSerializer(*args, organization=self.organization, **kwargs)

    def create(self, request, *args, **kwargs):
        community = self.get_community()
        if not request.user.has_perm(CommunityPermission.MANAGE_ROLES, community):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.role_assign(
            actor=request.user, community=community, **serializer.validated_data
        )
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)
