"""Object-permission backend that lets any app's permission be checked on a community."""

from guardian.backends import ObjectPermissionBackend

from copcore.permissions import ALL_COMMUNITY_PERMISSIONS, guardian_codename


class CommunityPermissionBackend(ObjectPermissionBackend):
    """Translates ``app.codename`` into the codename stored on Community, then asks guardian.

    Only community permissions on Community objects are answered; everything else
    is left to the other backends, so a typo fails closed (no permission).
    """

    def has_perm(self, user_obj, perm, obj=None):
        from communities.models import Community

        if not isinstance(obj, Community) or perm not in ALL_COMMUNITY_PERMISSIONS:
            return False
        if not user_obj.is_active:
            return False
        return super().has_perm(user_obj, f"communities.{guardian_codename(perm)}", obj)

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()
