"""Object-permission backend that lets any app's permission be checked on a community,
and the sign-in name django-axes counts failed attempts under."""

from django.conf import settings
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


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The address a sign-in attempt is throttled under, lower-cased: sign-in ignores
    the case of an email address, so ``Member@Example.ORG`` and ``member@example.org``
    must share one failure count (otherwise changing the case resets the limit).

    The sign-in page (django-allauth) authenticates with ``email=``, the API token
    endpoint with ``username=``; the form field is ``login``. All of them count."""
    username = None
    for key in ("email", "username", settings.AXES_USERNAME_FORM_FIELD):
        if credentials and credentials.get(key):
            username = credentials[key]
            break
    if username is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get(settings.AXES_USERNAME_FORM_FIELD) or data.get("username")
    return username.strip().lower() if isinstance(username, str) else username
