"""ECHO case presentations, which must be confirmed free of identifying text."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from sessions.deidentify import find_in_fields
from sessions.models import (
    CasePresentation,
    Session,
)
from sessions.services.common import _require_org_members

IDENTIFYING_TEXT = "identifying_text"
CASE_TEXT_FIELDS = ("title", "case_summary", "questions", "recommendations")


# --- ECHO case presentations --------------------------------------------------------


def _check_case_text(fields: dict[str, str], confirmed: bool) -> bool:
    """Raise unless the text looks de-identified or the author confirmed it was checked.
    Returns whether a warning was overridden."""
    findings = find_in_fields(fields)
    if not findings:
        return False
    if confirmed:
        return True
    raise ValidationError(
        {
            name: [
                ValidationError(
                    _("This looks identifying: %(label)s “%(text)s”. %(reason)s")
                    % {"label": f.label, "text": f.text, "reason": f.reason},
                    code=IDENTIFYING_TEXT,
                )
                for f in found
            ]
            for name, found in findings.items()
        }
    )


@transaction.atomic
def case_create(
    *,
    actor: User,
    session: Session,
    presenter: User,
    title: str,
    case_summary: str,
    questions: str,
    recommendations: str = "",
    site=None,
    confirmed_deidentified: bool = False,
) -> CasePresentation:
    """Add a case presentation. Text that looks identifying is refused unless the
    author confirms they checked it (``confirmed_deidentified``)."""
    _require_org_members(session.organization, [presenter], "presenter")
    if site is not None and site.organization_id != session.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    texts = {
        "title": title,
        "case_summary": case_summary,
        "questions": questions,
        "recommendations": recommendations,
    }
    overridden = _check_case_text(texts, confirmed_deidentified)
    case = CasePresentation(
        organization=session.organization,
        session=session,
        presenter=presenter,
        site=site,
        identifying_warning_overridden=overridden,
        created_by=actor,
        **texts,
    )
    case.full_clean(exclude=["organization", "session", "presenter", "site", "created_by"])
    case.save()
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.case_added",
        target=session,
        data={"case": case.pk, "identifying_warning_overridden": overridden},
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: CasePresentation,
    confirmed_deidentified: bool = False,
    site=None,
    **texts: str,
) -> CasePresentation:
    unknown = set(texts) - set(CASE_TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    if site is not None and site.organization_id != case.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    merged = {name: texts.get(name, getattr(case, name)) for name in CASE_TEXT_FIELDS}
    overridden = _check_case_text(merged, confirmed_deidentified)
    for name, value in merged.items():
        setattr(case, name, value)
    case.site = site
    case.identifying_warning_overridden = overridden
    case.full_clean(exclude=["organization", "session", "presenter", "site", "created_by"])
    case.save()
    audit_record(
        organization=case.organization,
        actor=actor,
        verb="sessions.case_updated",
        target=case.session,
        data={"case": case.pk, "identifying_warning_overridden": overridden},
    )
    return case


def is_identifying_text_error(error: ValidationError) -> bool:
    """Whether a case was refused only because its text looks identifying."""
    if not hasattr(error, "error_dict"):
        return False
    return all(e.code == IDENTIFYING_TEXT for errors in error.error_dict.values() for e in errors)
