"""What the benchmarks share: Django set-up and the first rows of a bench organization.

Not a benchmark itself: ``bench/__main__`` runs only the ``*_bench`` modules. Django
is imported inside the functions, because a benchmark module is imported (by
``make bench`` or by gunicorn) before Django is set up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Django with the development settings, on ``DATABASE_URL`` (or the embedded server)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copcore.settings.development")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_organization(*, slug: str, name: str, email: str, display_name: str):
    """The bench's owner and organization (with the owner as its admin), created through
    the services on the first run and reused by later ones."""
    from django_scopes import scopes_disabled

    from copcore.models import Organization, User
    from copcore.services import organization_create

    with scopes_disabled():
        owner, _ = User.objects.get_or_create(email=email, defaults={"display_name": display_name})
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            organization = organization_create(actor=owner, name=name, slug=slug, admin=owner)
    return owner, organization


def bench_community(*, organization, owner, slug: str = "bench", name: str = "Bench CoP"):
    """The bench CoP and whether this call created it (call inside the organization's
    scope), like ``get_or_create``."""
    from communities.models import Community
    from communities.services import community_create

    community = Community.objects.filter(organization=organization, slug=slug).first()
    if community is not None:
        return community, False
    created = community_create(actor=owner, organization=organization, name=name, slug=slug)
    return created, True
