"""Change packages: adding, ordering and removing their items."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from knowledge.models import (
    Asset,
    ChangePackageItem,
)

# ---------------------------------------------------------------- change packages


@transaction.atomic
def package_item_add(
    *,
    actor: User,
    package: Asset,
    change_idea: str,
    description: str = "",
    linked_asset: Asset | None = None,
) -> ChangePackageItem:
    if package.kind != Asset.Kind.CHANGE_PACKAGE:
        raise ValidationError(_("Only a change package holds change ideas."))
    if linked_asset is not None and (
        linked_asset.organization_id != package.organization_id or linked_asset.pk == package.pk
    ):
        raise ValidationError({"linked_asset": _("Choose another asset.")})
    top = package.package_items.aggregate(top=Max("position"))["top"] or 0
    item = ChangePackageItem.objects.create(
        organization=package.organization,
        package=package,
        position=top + 1,
        change_idea=change_idea.strip(),
        description=description.strip(),
        linked_asset=linked_asset,
    )
    audit_record(
        organization=package.organization,
        actor=actor,
        verb="knowledge.package_item_added",
        target=package,
        data={"item": item.pk, "change_idea": item.change_idea},
    )
    return item


@transaction.atomic
def package_item_move(*, actor: User, item: ChangePackageItem, direction: int) -> None:
    """Swap an idea with its neighbour (``direction`` -1 up, +1 down)."""
    siblings = list(
        ChangePackageItem.objects.select_for_update()
        .filter(package_id=item.package_id)
        .order_by("position", "id")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    audit_record(
        organization=item.organization,
        actor=actor,
        verb="knowledge.package_item_moved",
        target=item.package,
        data={"item": item.pk, "position": target + 1},
    )


@transaction.atomic
def package_item_remove(*, actor: User, item: ChangePackageItem) -> None:
    package = item.package
    audit_record(
        organization=item.organization,
        actor=actor,
        verb="knowledge.package_item_removed",
        target=package,
        data={"item": item.pk, "change_idea": item.change_idea},
    )
    item.delete()
