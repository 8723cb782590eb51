"""PDSA tests of change, their next cycle and reusable templates."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Tag
from copcore.models import Organization, User
from copcore.services import audit_record
from knowledge.models import (
    PDSA_STAGE_FIELDS,
    TEMPLATE_FIELDS,
    TEST_TEXT_FIELDS,
    PdsaStage,
    TestOfChange,
    TestStatus,
    TestTemplate,
)
from knowledge.services.common import _check_community, _check_tags

# ---------------------------------------------------------------- tests of change


def _check_test(*, community: Community, site, measures, starts_on, ends_on) -> list:
    organization = community.organization
    if site is not None and site.organization_id != organization.pk:
        raise ValidationError({"site": _("Unknown site.")})
    measures = list(measures or [])
    if any(measure.community_id != community.pk for measure in measures):
        raise ValidationError({"measures": _("Choose measures of this community.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    return measures


@transaction.atomic
def test_of_change_create(
    *,
    actor: User,
    community: Community,
    title: str,
    change_idea: str,
    site=None,
    tags: Iterable[Tag] = (),
    measures: Iterable = (),
    previous_cycle: TestOfChange | None = None,
    **fields,
) -> TestOfChange:
    """Record a PDSA cycle; ``previous_cycle`` links it into a ramp of tests."""
    unknown = set(fields) - set(TEST_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    organization = community.organization
    if previous_cycle is not None and previous_cycle.community_id != community.pk:
        raise ValidationError({"previous_cycle": _("The previous cycle is in another CoP.")})
    measures = _check_test(
        community=community,
        site=site,
        measures=measures,
        starts_on=fields.get("starts_on"),
        ends_on=fields.get("ends_on"),
    )
    tags = _check_tags(organization=organization, community=community, tags=tags)
    fields = {key: ("" if value is None and key not in ("starts_on", "ends_on") else value)
              for key, value in fields.items()}  # fmt: skip
    fields.setdefault("status", TestStatus.PLANNED)
    test = TestOfChange(
        organization=organization,
        community=community,
        author=actor,
        title=title.strip(),
        change_idea=change_idea.strip(),
        site=site,
        previous_cycle=previous_cycle,
        **fields,
    )
    test.full_clean(exclude=["tags", "measures"])
    test.save()
    test.tags.set(tags)
    test.measures.set(measures)
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.test_created",
        target=test,
        data={"previous_cycle": getattr(previous_cycle, "pk", None), "status": test.status},
    )
    return test


@transaction.atomic
def test_of_change_update(
    *,
    actor: User,
    test: TestOfChange,
    site=None,
    tags: Iterable[Tag] = (),
    measures: Iterable = (),
    **fields,
) -> TestOfChange:
    """Fill in the later stages (do, study, act) or correct the plan."""
    unknown = set(fields) - set(TEST_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    measures = _check_test(
        community=test.community,
        site=site,
        measures=measures,
        starts_on=fields.get("starts_on", test.starts_on),
        ends_on=fields.get("ends_on", test.ends_on),
    )
    tags = _check_tags(organization=test.organization, community=test.community, tags=tags)
    before = {"status": test.status, "act_decision": test.act_decision}
    for key, value in fields.items():
        if value is None and key not in ("starts_on", "ends_on"):
            value = ""
        setattr(test, key, value)
    test.site = site
    test.updated_at = timezone.now()
    test.full_clean(exclude=["tags", "measures"])
    test.save()
    test.tags.set(tags)
    test.measures.set(measures)
    audit_record(
        organization=test.organization,
        actor=actor,
        verb="knowledge.test_updated",
        target=test,
        data={
            "before": before,
            "after": {"status": test.status, "act_decision": test.act_decision},
        },
    )
    return test


# The status a stage moves the cycle to; saving an earlier stage never moves it back.
_STAGE_STATUS = {
    PdsaStage.DO: TestStatus.RUNNING,
    PdsaStage.STUDY: TestStatus.STUDYING,
    PdsaStage.ACT: TestStatus.DONE,
}
_STATUS_ORDER = [TestStatus.PLANNED, TestStatus.RUNNING, TestStatus.STUDYING, TestStatus.DONE]


def _check_stage(*, test: TestOfChange, stage: str, fields: dict) -> None:
    """The rules of each stage, so a cycle is written in order: what happened before
    studying it, and a decision to close it."""
    if stage == PdsaStage.PLAN:
        if not (fields.get("title", test.title) or "").strip():
            raise ValidationError({"title": _("Give the test a title.")})
        if not (fields.get("change_idea", test.change_idea) or "").strip():
            raise ValidationError({"change_idea": _("Describe the change idea.")})
    elif stage == PdsaStage.DO:
        if not ((fields.get("do_what_happened") or "").strip()
                or (fields.get("do_observations") or "").strip()):  # fmt: skip
            raise ValidationError(
                {"do_what_happened": _("Describe what happened when the change was tried.")}
            )
        ends_on = fields.get("ends_on")
        if test.starts_on and ends_on and ends_on < test.starts_on:
            raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    elif stage == PdsaStage.STUDY:
        if not test.do_recorded:
            raise ValidationError(_("Record what happened (Do) before studying the results."))
        if not (fields.get("study_results") or "").strip():
            raise ValidationError({"study_results": _("Compare the results with the prediction.")})
    elif stage == PdsaStage.ACT:
        if not test.do_recorded:
            raise ValidationError(_("Record what happened (Do) before deciding what to do next."))
        if not fields.get("act_decision"):
            raise ValidationError({"act_decision": _("Choose adopt, adapt or abandon.")})


@transaction.atomic
def test_of_change_save_stage(
    *, actor: User, test: TestOfChange, stage: str, **fields
) -> TestOfChange:
    """Save one stage of a cycle (plan, do, study or act) and leave the others as they
    are, so a test can be written part-done as it runs. The status follows: Do makes
    it running, Study studying, Act done."""
    if stage not in PDSA_STAGE_FIELDS:
        raise ValueError(f"unknown stage: {stage}")
    unknown = set(fields) - set(PDSA_STAGE_FIELDS[stage])
    if unknown:
        raise TypeError(f"unknown fields for {stage}: {sorted(unknown)}")
    _check_stage(test=test, stage=stage, fields=fields)
    before = {"status": test.status, "act_decision": test.act_decision}
    relations: dict[str, object] = {}
    if stage == PdsaStage.PLAN:  # links are changed only when given
        site = fields.pop("site", test.site)
        measures = fields.pop("measures", None)
        relations["measures"] = _check_test(
            community=test.community,
            site=site,
            measures=test.measures.all() if measures is None else measures,
            starts_on=fields.get("starts_on", test.starts_on),
            ends_on=test.ends_on,
        )
        tags = fields.pop("tags", None)
        relations["tags"] = _check_tags(
            organization=test.organization,
            community=test.community,
            tags=test.tags.all() if tags is None else tags,
        )
        test.site = site
    for key, value in fields.items():
        if value is None and key not in ("starts_on", "ends_on"):
            value = ""
        setattr(test, key, value.strip() if isinstance(value, str) else value)
    target_status = _STAGE_STATUS.get(PdsaStage(stage))
    if target_status and _STATUS_ORDER.index(target_status) > _STATUS_ORDER.index(
        TestStatus(test.status)
    ):
        test.status = target_status
    test.updated_at = timezone.now()
    test.full_clean(exclude=["tags", "measures"])
    test.save()
    if relations:
        test.tags.set(relations["tags"])  # type: ignore[arg-type]
        test.measures.set(relations["measures"])  # type: ignore[arg-type]
    audit_record(
        organization=test.organization,
        actor=actor,
        verb="knowledge.test_updated",
        target=test,
        data={
            "stage": stage,
            "before": before,
            "after": {"status": test.status, "act_decision": test.act_decision},
        },
    )
    return test


def test_next_cycle_initial(*, test: TestOfChange) -> dict:
    """What the next cycle starts from: the same idea, site, tags and measures, with the
    previous act notes as the start of the new plan."""
    return {
        "title": test.title,
        "change_idea": test.change_idea,
        "objective": test.objective,
        "plan_who": test.plan_who,
        "plan_where": test.plan_where,
        "plan_data": test.plan_data,
        "plan_what": test.act_notes,
        "site": test.site,
        "tags": list(test.tags.all()),
        "measures": list(test.measures.all()),
    }


@transaction.atomic
def test_template_create(
    *, actor: User, organization: Organization, community: Community | None, name: str, **fields
) -> TestTemplate:
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_community(organization=organization, community=community)
    template = TestTemplate.objects.create(
        organization=organization,
        community=community,
        name=name.strip(),
        created_by=actor,
        **{key: (value or "").strip() for key, value in fields.items()},
    )
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.test_template_created",
        target=template,
    )
    return template
