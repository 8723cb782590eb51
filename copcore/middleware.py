"""Request id, user preferences and tenancy (the django-scopes scope) for every request."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from copcore.http import CopHttpRequest
from copcore.request_context import client_ip_var, request_id_var
from copcore.responses import is_api_path, not_found_response, unauthenticated_response
from copcore.selectors import organization_for_request

ORG_KWARG = "org_slug"


class RequestIdMiddleware:
    """Gives each request an id (or keeps a proxy's ``X-Request-ID``) for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: CopHttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(request.META.get("REMOTE_ADDR"))
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
            client_ip_var.reset(ip_token)
        response["X-Request-ID"] = request_id
        return response


def _supported(language: str | None) -> str:
    """The offered language for ``language`` (pt-pt -> pt), or '' if none fits."""
    if not language:
        return ""
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return ""


class UserPreferencesMiddleware:
    """Activates the signed-in person's language and time zone for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: CopHttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The profile wins over this browser's cookie: a change made on another
            # device (or in the profile) applies everywhere. Variants fall back to the
            # language offered (pt-pt -> pt).
            cookie_language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = _supported(user.language) or _supported(cookie_language)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TenancyMiddleware:
    """Enters the organization's scope for ``/o/<org_slug>/`` pages and API routes.

    Fails closed: outside an organization URL no scope is active, so a query on a
    tenant model raises. Inside one, an anonymous visitor is sent to log in (the
    API answers 401), and a signed-in person who is not a member gets the very same
    404 as for an organization that does not exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: CopHttpRequest) -> HttpResponse:
        request.organization = None
        request.membership = None
        request.access_version = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        org_slug = match.kwargs.get(ORG_KWARG)
        if org_slug is None:
            if request.path_info.startswith("/admin/") and request.user.is_superuser:
                with scopes_disabled():
                    return self.get_response(request)
            return self.get_response(request)

        user = self._authenticated_user(request)
        if user is None:
            if is_api_path(request.path_info):
                return unauthenticated_response()
            return redirect_to_login(request.get_full_path())
        found = organization_for_request(user=user, slug=org_slug)
        if found is None:
            return not_found_response(request)
        request.organization, request.membership = found.organization, found.membership
        request.user_memberships = found.memberships
        request.access_version = found.access_version
        with scope(organization=request.organization):
            return self.get_response(request)

    @staticmethod
    def _authenticated_user(request: HttpRequest):
        """The session user, or for API calls the user of a valid token.

        DRF authenticates inside the view, after this middleware, so token
        callers are recognised here too; DRF then authenticates them again.
        """
        if request.user.is_authenticated:
            return request.user
        if is_api_path(request.path_info) and "HTTP_AUTHORIZATION" in request.META:
            from rest_framework.authentication import TokenAuthentication
            from rest_framework.exceptions import AuthenticationFailed
            from rest_framework.request import Request

            try:
                result = TokenAuthentication().authenticate(Request(request))
            except AuthenticationFailed:
                return None
            if result:
                return result[0]
        return None
