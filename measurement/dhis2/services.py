"""Writes of the DHIS2 connector: the connection (with its encrypted credential), its
test, and the mapping of a CoP's measures, sites and strata to DHIS2 identifiers.

Keyword-only, typed, atomic and audited; an audit event never carries the credential
(only whether one was changed). Pulls are in ``pulls``, downloads and pushes in
``exchange``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore import crypto
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import OrgPermission, org_role_has_perm
from copcore.services import audit_record
from measurement import access
from measurement.dhis2.client import Credentials, Dhis2Client, Dhis2Error
from measurement.models import (
    Dhis2CategoryMap,
    Dhis2Connection,
    Dhis2Mapping,
    Dhis2MeasureMap,
    Dhis2SiteMap,
    Measure,
    Site,
    StratifierCategory,
)

# Connections are organization settings, like sites: the organization's admins.
MANAGE_CONNECTION = OrgPermission.MANAGE_SITES


def is_org_admin(user: User | AnonymousUser, organization: Organization) -> bool:
    if not user.is_authenticated:
        return False
    role = (
        OrganizationMembership.objects.filter(organization=organization, user=user)
        .values_list("role", flat=True)
        .first()
    )
    return org_role_has_perm(role, MANAGE_CONNECTION)


def can_map(user: User | AnonymousUser, community: Community) -> bool:
    """The CoP's data stewards (they submit its data) and the organization's admins."""
    return access.can_submit(user, community) or is_org_admin(user, community.organization)


def credentials(connection: Dhis2Connection) -> Credentials:
    """The decrypted credential, at the moment of use only."""
    return Credentials(
        base_url=connection.base_url,
        auth=connection.auth,
        username=connection.username,
        secret=crypto.decrypt_secret(connection.secret),
    )


def client_for(connection: Dhis2Connection) -> Dhis2Client:
    return Dhis2Client(credentials(connection))


def _clean_base_url(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError({"base_url": _("Enter the server's address, https://...")})
    if parts.username or parts.password:
        raise ValidationError({"base_url": _("Do not put a user name or password in the address.")})
    return base


@transaction.atomic
def connection_save(
    *,
    actor: User,
    organization: Organization,
    base_url: str,
    auth: str,
    username: str = "",
    secret: str = "",
    push_enabled: bool = False,
) -> Dhis2Connection:
    """Create or change the organization's connection. An empty ``secret`` keeps the
    stored one; a new one replaces it (encrypted). Changing the server or the credential
    forgets the last test."""
    if not is_org_admin(actor, organization):
        raise PermissionDenied
    base_url = _clean_base_url(base_url)
    if auth not in Dhis2Connection.Auth.values:
        raise ValidationError({"auth": _("Choose how to sign in to the server.")})
    if auth == Dhis2Connection.Auth.BASIC and not username.strip():
        raise ValidationError({"username": _("Enter the DHIS2 user name.")})
    connection = Dhis2Connection.objects.filter(organization=organization).first()
    created = connection is None
    if connection is None:
        connection = Dhis2Connection(organization=organization)
    if not secret and not crypto.is_set(connection.secret):
        raise ValidationError({"secret": _("Enter the token or the password.")})
    changed = created or connection.base_url != base_url or bool(secret)
    connection.base_url = base_url
    connection.auth = auth
    connection.username = username.strip() if auth == Dhis2Connection.Auth.BASIC else ""
    connection.push_enabled = push_enabled
    if secret:
        connection.secret = crypto.encrypt_secret(secret.strip())
    if changed:
        connection.tested_at = None
        connection.test_ok = False
        connection.server_version = connection.server_user = ""
    connection.save()
    audit_record(
        organization=organization,
        actor=actor,
        verb="measurement.dhis2_connection_saved",
        target=connection,
        data={
            "base_url": base_url,
            "auth": auth,
            "secret_changed": bool(secret),
            "push_enabled": push_enabled,
        },
    )
    return connection


@dataclass(frozen=True)
class TestResult:
    ok: bool
    version: str = ""
    user: str = ""
    error: str = ""

    @property
    def message(self) -> str:
        from measurement.dhis2.client import error_message

        return error_message(self.error) if self.error else ""


def connection_test(*, actor: User, connection: Dhis2Connection) -> TestResult:
    """Ask the server who it is (``/api/system/info``) and who we are (``/api/me``),
    and remember the answer. The network calls run outside any transaction."""
    if not is_org_admin(actor, connection.organization):
        raise PermissionDenied
    try:
        client = client_for(connection)
        info = client.system_info()
        me = client.me()
        result = TestResult(
            ok=True,
            version=str(info.get("version", ""))[:60],
            user=str(me.get("username") or me.get("displayName") or me.get("id"))[:200],
        )
    except crypto.SecretUnreadable:
        result = TestResult(ok=False, error="secret_unreadable")
    except Dhis2Error as error:
        result = TestResult(ok=False, error=error.code)
    with transaction.atomic():
        Dhis2Connection.objects.filter(pk=connection.pk).update(
            tested_at=timezone.now(),
            test_ok=result.ok,
            server_version=result.version,
            server_user=result.user,
        )
        audit_record(
            organization=connection.organization,
            actor=actor,
            verb="measurement.dhis2_connection_tested",
            target=connection,
            data={"ok": result.ok, "version": result.version, "error": result.error},
        )
    connection.refresh_from_db()
    return result


# Mappings ------------------------------------------------------------------------------


def _require_map(actor: User, community: Community) -> None:
    if not can_map(actor, community):
        raise PermissionDenied


@transaction.atomic
def mapping_save(
    *,
    actor: User,
    community: Community,
    schedule: str,
    approval_level: str = "",
    data_set: str = "",
    lookback_periods: int = 12,
) -> Dhis2Mapping:
    """The CoP's mapping settings (created on first save). The next scheduled pull is
    due at once when a schedule is set, then every day, week or month."""
    _require_map(actor, community)
    if schedule not in Dhis2Mapping.Schedule.values:
        raise ValidationError({"schedule": _("Choose a schedule.")})
    if not 1 <= lookback_periods <= 60:
        raise ValidationError({"lookback_periods": _("Between 1 and 60 periods.")})
    mapping, created = Dhis2Mapping.objects.get_or_create(
        community=community, defaults={"organization": community.organization}
    )
    if schedule == Dhis2Mapping.Schedule.MANUAL:
        mapping.next_pull_at = None
    elif mapping.schedule != schedule or mapping.next_pull_at is None:
        mapping.next_pull_at = timezone.now()
    mapping.schedule = schedule
    mapping.approval_level = approval_level.strip()
    mapping.data_set = data_set.strip()
    mapping.lookback_periods = lookback_periods
    mapping.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.dhis2_mapping_saved",
        target=mapping,
        data={
            "schedule": schedule,
            "approval_level": mapping.approval_level,
            "data_set": mapping.data_set,
            "lookback_periods": lookback_periods,
            "created": created,
        },
    )
    return mapping


@contextmanager
def _unique_or_error(field: str, message: str) -> Iterator[None]:
    """Turns the unique constraints into the form's error."""
    try:
        yield
    except IntegrityError as error:
        raise ValidationError({field: message}) from error


def _audit_item(actor: User, mapping: Dhis2Mapping, verb: str, data: dict) -> None:
    audit_record(
        organization=mapping.organization,
        actor=actor,
        verb=f"measurement.dhis2_{verb}",
        target=mapping,
        data=data,
    )


def site_map_add(
    *, actor: User, mapping: Dhis2Mapping, site: Site, org_unit: str, org_unit_name: str = ""
) -> Dhis2SiteMap:
    _require_map(actor, mapping.community)
    org_unit = org_unit.strip()
    if not org_unit:
        raise ValidationError({"org_unit": _("Enter the organisation unit's identifier or code.")})
    with (
        _unique_or_error("org_unit", _("This site or organisation unit is mapped already.")),
        transaction.atomic(),
    ):
        item = Dhis2SiteMap.objects.create(
            organization=mapping.organization,
            mapping=mapping,
            site=site,
            org_unit=org_unit,
            org_unit_name=org_unit_name[:230],
        )
        _audit_item(actor, mapping, "site_mapped", {"site": site.code, "org_unit": org_unit})
    return item


def measure_map_add(
    *,
    actor: User,
    mapping: Dhis2Mapping,
    measure: Measure,
    indicator: str = "",
    numerator_item: str = "",
    denominator_item: str = "",
    value_item: str = "",
) -> Dhis2MeasureMap:
    """A measure from one indicator (its numerator and denominator with it) or from
    separate data elements; a ratio measure needs both figures, another a value."""
    _require_map(actor, mapping.community)
    indicator, numerator_item = indicator.strip(), numerator_item.strip()
    denominator_item, value_item = denominator_item.strip(), value_item.strip()
    if indicator and (numerator_item or denominator_item or value_item):
        raise ValidationError(
            {"indicator": _("Give either an indicator or data elements, not both.")}
        )
    if not indicator:
        if measure.uses_ratio and not (numerator_item and denominator_item):
            raise ValidationError(
                {"numerator_item": _("This measure needs a numerator and a denominator.")}
            )
        if not measure.uses_ratio and not value_item:
            raise ValidationError({"value_item": _("This measure needs a value.")})
    with (
        _unique_or_error("measure", _("This measure is mapped already.")),
        transaction.atomic(),
    ):
        item = Dhis2MeasureMap.objects.create(
            organization=mapping.organization,
            mapping=mapping,
            measure=measure,
            indicator=indicator,
            numerator_item=numerator_item,
            denominator_item=denominator_item,
            value_item=value_item,
        )
        _audit_item(
            actor,
            mapping,
            "measure_mapped",
            {
                "measure": measure.code,
                "indicator": indicator,
                "numerator": numerator_item,
                "denominator": denominator_item,
                "value": value_item,
            },
        )
    return item


def category_map_add(
    *, actor: User, mapping: Dhis2Mapping, option_combo: str, category: StratifierCategory
) -> Dhis2CategoryMap:
    _require_map(actor, mapping.community)
    option_combo = option_combo.strip()
    if not option_combo:
        raise ValidationError({"option_combo": _("Enter the category option combo.")})
    with (
        _unique_or_error("option_combo", _("This category option combo is mapped already.")),
        transaction.atomic(),
    ):
        item = Dhis2CategoryMap.objects.create(
            organization=mapping.organization,
            mapping=mapping,
            option_combo=option_combo,
            category=category,
        )
        _audit_item(
            actor,
            mapping,
            "category_mapped",
            {"option_combo": option_combo, "category": category.code},
        )
    return item


@transaction.atomic
def mapping_item_remove(*, actor: User, mapping: Dhis2Mapping, kind: str, item_id: int) -> None:
    """Remove one site, measure or category line of the mapping (404 if not there)."""
    _require_map(actor, mapping.community)
    lines = {
        "site": Dhis2SiteMap.objects.filter(mapping=mapping, pk=item_id),
        "measure": Dhis2MeasureMap.objects.filter(mapping=mapping, pk=item_id),
        "category": Dhis2CategoryMap.objects.filter(mapping=mapping, pk=item_id),
    }
    if kind not in lines:
        raise ValidationError(_("Unknown mapping line."))
    deleted, _rows = lines[kind].delete()
    if not deleted:
        from django.http import Http404

        raise Http404
    _audit_item(actor, mapping, "mapping_removed", {"kind": kind, "id": item_id})
