"""What the middleware adds to a request, as types for the views.

``TenancyMiddleware`` sets ``organization``, ``membership`` and ``access_version`` on
every request (``None`` outside ``/o/<org_slug>/``); inside an organization URL it has
already sent anonymous visitors to log in and outsiders to a 404, so the views there
receive an ``OrganizationRequest``: a signed-in member with the organization set.
These classes are annotations only; Django builds the request objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from copcore.models import Organization, OrganizationMembership, User


class CopHttpRequest(HttpRequest):
    """Any request, after ``RequestIdMiddleware`` and ``TenancyMiddleware``."""

    request_id: str
    organization: Organization | None
    membership: OrganizationMembership | None
    user_memberships: list[OrganizationMembership]
    access_version: str | None


class AuthenticatedHttpRequest(HttpRequest):
    """A request from a signed-in person (behind ``login_required``)."""

    user: User
    request_id: str
    organization: Organization | None
    membership: OrganizationMembership | None
    access_version: str | None


class OrganizationRequest(AuthenticatedHttpRequest):
    """A request to an ``/o/<org_slug>/`` page or API route by a member."""

    organization: Organization
    membership: OrganizationMembership
    user_memberships: list[OrganizationMembership]
    access_version: str
