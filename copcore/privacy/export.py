"""Everything the platform holds about a person, as a ZIP of JSON and CSV.

The rows are found by walking every model for foreign keys to the user model, so a
feature added later is included without anyone remembering it: for each such field, the
rows where it points to the person (as author, as assignee, as the one who changed a
historical version...). Secrets are left out (password hashes, API token keys, signed
invitation keys, encrypted fields) and so are search-index columns. Anonymous survey
answers hold no link to anyone and so are never found; named ones are.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from copcore.models import AuditEvent, User
from copcore.spreadsheet import csv_text

#: Field names never exported: secrets, and columns that only serve the search index.
LEFT_OUT = ("password", "key", "token", "secret", "encrypted", "search_vector", "body_html")
#: Models whose rows are secrets or machinery rather than information about the person.
SKIPPED_MODELS = {
    "authtoken.token",
    "authtoken.tokenproxy",
    "sessions.session",
    "mfa.authenticator",  # second-factor secrets and recovery codes
}


def _left_out(field: models.Field) -> bool:
    name = field.name.lower()
    return any(part in name for part in LEFT_OUT)


def _value(row: models.Model, field: models.Field) -> Any:
    if isinstance(field, models.ForeignKey):
        return getattr(row, field.attname)
    value = getattr(row, field.attname)
    if isinstance(field, models.FileField):
        return value.name if value else ""
    return value


def _user_links() -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every (model, field) pair where the field points to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model in apps.get_models():
        if model._meta.label_lower in SKIPPED_MODELS or model is user_model:
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is user_model
                and field.concrete
            ):
                yield model, field


def _rows(model: type[models.Model], lookup: Q) -> list[dict[str, Any]]:
    fields = [f for f in model._meta.concrete_fields if not _left_out(f)]
    manager = model._base_manager
    return [
        {field.attname: _value(row, field) for field in fields}
        for row in manager.filter(lookup).order_by("pk").iterator()
    ]


def _audit_rows(user: User) -> list[dict[str, Any]]:
    user_type = ContentType.objects.get_for_model(User)
    events = AuditEvent.objects.filter(
        Q(actor=user) | Q(target_type=user_type, target_id=str(user.pk))
    ).select_related("organization")
    return [
        {
            "time": event.created_at,
            "organization": event.organization.slug,
            "verb": event.verb,
            "by_you": event.actor_id == user.pk,
            "target": event.target_repr,
            "data": event.data,
            "ip_address": event.ip_address,
        }
        for event in events.order_by("created_at", "pk")
    ]


def personal_data(*, user: User) -> dict[str, list[dict[str, Any]]]:
    """Name of each part of the archive -> its rows."""
    profile_fields = [
        f for f in User._meta.concrete_fields if not _left_out(f) and f.name != "groups"
    ]
    parts: dict[str, list[dict[str, Any]]] = {
        "profile": [{f.attname: _value(user, f) for f in profile_fields}],
    }
    with scopes_disabled():
        for model, field in _user_links():
            rows = _rows(model, Q(**{field.attname: user.pk}))
            if rows:
                label = model._meta.label_lower
                name = f"{label}.{field.name}" if field.name != "user" else label
                parts[name] = rows
        parts["audit_events"] = _audit_rows(user)
    return parts


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        if isinstance(value, dict | list)
        else value
        for key, value in row.items()
    }


def personal_data_archive(*, user: User) -> bytes:
    """The ZIP a person downloads: a README, then each part as JSON and as CSV."""
    parts = personal_data(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(user=user, parts=parts))
        for name, rows in parts.items():
            archive.writestr(
                f"json/{name}.json",
                json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            header = list(rows[0]) if rows else []
            flat = [_flatten(row) for row in rows]
            archive.writestr(
                f"csv/{name}.csv", csv_text(header, [[row[h] for h in header] for row in flat])
            )
    return buffer.getvalue()


def _readme(*, user: User, parts: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "Personal data held by the CoP Platform",
        f"Person: {user.display_name} <{user.email}>",
        f"Made: {timezone.now().astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "Each part is given twice: json/<part>.json and csv/<part>.csv.",
        "A part named <app>.<model>.<field> holds the rows where <field> is you",
        "(for example the changes you made, or the people you invited).",
        "",
    ]
    lines += [f"{name}: {len(rows)} rows" for name, rows in parts.items()]
    return "\n".join(lines) + "\n"
