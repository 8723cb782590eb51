"""API representations of communities and role terms."""

from rest_framework import serializers

from communities.models import Community, CommunityRoleAssignment
from copcore.models import User
from copcore.permissions import CommunityRole


class CommunitySerializer(serializers.ModelSerializer):
    people_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Community
        fields = ["id", "slug", "name", "created_at", "people_count"]


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
            self.fields["user"].queryset = User.objects.filter(
                memberships__organization=organization
            )
