"""An organization's second-factor rule, enforced at sign-in with a guided set-up.

When a person signs in, the platform works out once whether an organization they
belong to requires a second factor of them (of its admins, or of everyone) and whether
they have one. If they must and have not, the session is marked and every page except
the account pages sends them to set up an authenticator app first; adding one lifts the
mark. Working it out at sign-in keeps every other request free of extra queries; a rule
changed later applies from each person's next sign-in. The API (tokens) is unaffected.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from copcore.models import OrganizationMembership, SecondFactorPolicy, User
from copcore.permissions import OrgRole

SESSION_FLAG = "cop_second_factor_setup_required"
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/api/", "/media/")


def second_factor_required(user: User) -> bool:
    """Whether any of the person's organizations requires them to use a second factor."""
    with scopes_disabled():
        memberships = OrganizationMembership.objects.filter(
            user=user, organization__is_active=True
        ).values_list("role", "organization__second_factor_required")
        return any(
            policy == SecondFactorPolicy.EVERYONE
            or (policy == SecondFactorPolicy.ADMINS and role == OrgRole.ADMIN)
            for role, policy in memberships
        )


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


@receiver(user_logged_in, dispatch_uid="copcore.sso.second_factor_at_login")
def _mark_at_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if second_factor_required(user) and not has_second_factor(user):
        request.session[SESSION_FLAG] = True
    else:
        request.session.pop(SESSION_FLAG, None)


@receiver(authenticator_added, dispatch_uid="copcore.sso.second_factor_added")
def _clear_when_added(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_FLAG, None)


class SecondFactorSetupMiddleware:
    """Sends a person who must set up a second factor to the set-up page first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SESSION_FLAG)
            and request.user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            # Only marked sessions pay this query; it lifts the mark once an
            # authenticator exists (the signal above may run after the response).
            if has_second_factor(request.user):
                session.pop(SESSION_FLAG, None)
                return self.get_response(request)
            messages.warning(
                request,
                _(
                    "Your organization requires a second factor. Set up an authenticator "
                    "app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
