"""Checks the knowledge writes share: tags from the allowed vocabulary, people and communities of
the organization, and the notification to a contributor."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from communities.models import Community, Tag
from communities.selectors import tags_allowed
from copcore.dispatch import enqueue_on_commit
from copcore.models import Organization, OrganizationMembership, User

# ---------------------------------------------------------------- shared checks


def _check_tags(*, organization: Organization, community: Community | None, tags) -> list[Tag]:
    """Tags must come from the organization's vocabulary and, in a community, from
    its tagging norms (its allowed tags)."""
    tags = list(tags or [])
    if not tags:
        return []
    if community is not None:
        allowed = set(tags_allowed(community=community).values_list("pk", flat=True))
    else:
        allowed = set(Tag.objects.filter(organization=organization).values_list("pk", flat=True))
    refused = [tag.name for tag in tags if tag.pk not in allowed]
    if refused:
        raise ValidationError(
            {
                "tags": _("These tags are not allowed here: %(tags)s.")
                % {"tags": ", ".join(sorted(refused))}
            }
        )
    return tags


def _check_people(*, organization: Organization, people: Iterable[User], field: str) -> list:
    people = list(people or [])
    members = set(
        OrganizationMembership.objects.filter(
            organization=organization, user__in=people
        ).values_list("user_id", flat=True)
    )
    if any(person.pk not in members for person in people):
        raise ValidationError({field: _("Only members of the organization can be chosen.")})
    return people


def _check_community(*, organization: Organization, community: Community | None) -> None:
    if community is not None and community.organization_id != organization.pk:
        raise ValidationError({"community": _("Unknown community.")})


def _notify(
    *, organization: Organization, kind: str, item_id: int, action: str, actor: User
) -> None:
    """Tell the author after the commit (a Celery task that takes ids)."""
    enqueue_on_commit(
        "knowledge.tasks.send_curation_notice", organization.pk, kind, item_id, action, actor.pk
    )
