"""PDSA tests of change: visible lists, learning from failure, cycle chains, templates, and the
tests the measurement app annotates on charts."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Tag
from copcore.models import Organization
from knowledge.models import (
    ActDecision,
    PdsaStage,
    PredictionHeld,
    TestOfChange,
    TestTemplate,
)
from knowledge.selectors.access import Viewer

# ---------------------------------------------------------------- tests of change


def tests_visible(
    *,
    viewer: Viewer,
    community: Community | None = None,
    status: str | None = None,
    act_decision: str | None = None,
    prediction_held: str | None = None,
    tag: Tag | None = None,
    site_id: int | None = None,
) -> QuerySet[TestOfChange]:
    """Tests of the communities the person belongs to, and their own, newest first."""
    tests = TestOfChange.objects.filter(organization=viewer.organization)
    if not viewer.is_org_member:
        return tests.none()
    tests = tests.filter(Q(community_id__in=viewer.ids("view")) | Q(author_id=viewer.user.pk))
    if community is not None:
        tests = tests.filter(community=community)
    if status:
        tests = tests.filter(status=status)
    if act_decision:
        tests = tests.filter(act_decision=act_decision)
    if prediction_held:
        tests = tests.filter(prediction_held=prediction_held)
    if tag is not None:
        tests = tests.filter(tags=tag)
    if site_id:
        tests = tests.filter(site_id=site_id)
    return (
        tests.select_related("author", "community", "site", "previous_cycle")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("-created_at", "-id")
    )


def tests_learning_from_failure(*, viewer: Viewer, **filters) -> QuerySet[TestOfChange]:
    """Abandoned tests and tests whose results contradicted the prediction: as easy to
    browse as the successes, because they teach as much."""
    return tests_visible(viewer=viewer, **filters).filter(
        Q(act_decision=ActDecision.ABANDON) | Q(prediction_held=PredictionHeld.NO)
    )


def test_get(*, viewer: Viewer, test_id: int) -> TestOfChange:
    test = tests_visible(viewer=viewer).filter(pk=test_id).first()
    if test is None:
        raise Http404
    return test


def test_chain(*, test: TestOfChange) -> list[TestOfChange]:
    """The ramp this cycle belongs to, from its first cycle down every branch, in
    order (depth-first). One query for the community's links, one for the rows."""
    links = dict(
        TestOfChange.objects.filter(community_id=test.community_id).values_list(
            "pk", "previous_cycle_id"
        )
    )
    root = test.pk
    seen = {root}
    while links.get(root) is not None and links[root] not in seen:
        root = links[root]
        seen.add(root)
    children: dict[int, list[int]] = {}
    for pk, parent in sorted(links.items()):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    ordered: list[int] = []
    stack = [root]
    while stack:
        pk = stack.pop()
        if pk in ordered:
            continue
        ordered.append(pk)
        stack.extend(reversed(children.get(pk, [])))
    rows = TestOfChange.objects.filter(pk__in=ordered).select_related("author", "site")
    by_pk = {row.pk: row for row in rows}
    depth: dict[int, int] = {root: 0}
    for pk in ordered:
        parent_pk = links.get(pk)
        if pk != root and parent_pk is not None and parent_pk in depth:
            depth[pk] = depth[parent_pk] + 1
        by_pk[pk].cycle_depth = depth.get(pk, 0)
    return [by_pk[pk] for pk in ordered]


def test_stages(*, test: TestOfChange | None) -> list[dict]:
    """The four stages of a cycle for the step list and the detail page's links:
    ``[{"key", "label", "done", "open", "next"}]``. A stage is open once the ones it
    needs are written (Study and Act need Do); ``next`` marks the one to do now."""
    if test is None:
        done = dict.fromkeys(PdsaStage, False)
        opened = {PdsaStage.PLAN}
    else:
        done = {
            PdsaStage.PLAN: True,
            PdsaStage.DO: test.do_recorded,
            PdsaStage.STUDY: test.study_recorded,
            PdsaStage.ACT: bool(test.act_decision),
        }
        opened = {PdsaStage.PLAN, PdsaStage.DO}
        if test.do_recorded:
            opened |= {PdsaStage.STUDY, PdsaStage.ACT}
    following = next((stage for stage in PdsaStage if not done[stage]), None)
    return [
        {
            "key": stage.value,
            "label": stage.label,
            "done": done[stage],
            "open": stage in opened,
            "next": stage == following,
        }
        for stage in PdsaStage
    ]


def test_templates(*, viewer: Viewer, community: Community | None = None) -> QuerySet:
    """Templates offered for a community: its own and the organization-wide ones."""
    templates = TestTemplate.objects.filter(organization=viewer.organization)
    if community is not None:
        templates = templates.filter(Q(community=community) | Q(community__isnull=True))
    else:
        templates = templates.filter(
            Q(community__isnull=True) | Q(community_id__in=viewer.ids("view"))
        )
    return templates.select_related("community").order_by("name")


def test_template_get(*, viewer: Viewer, template_id: int) -> TestTemplate:
    template = test_templates(viewer=viewer).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


def test_outcome(test: TestOfChange) -> str:
    """A short, human outcome for annotations: the act decision and whether the
    prediction held, or the status while the cycle runs."""
    parts = []
    if test.act_decision:
        parts.append(str(test.get_act_decision_display()))
    if test.prediction_held:
        parts.append(str(test.get_prediction_held_display()))
    return " · ".join(parts) or str(test.get_status_display())


def tests_of_change_for_measure(
    *, measure_id: int, organization: Organization, viewer: Viewer | None = None
) -> list[dict]:
    """Tests linked to a measure, oldest first, for annotations on its chart:
    ``[{"date", "title", "url", "outcome", "act_decision", "prediction_held"}]``.

    The date is the cycle's start date (its creation date when none was given).
    Pass ``viewer`` to keep only the tests that person may see.
    """
    tests = TestOfChange.objects.filter(organization=organization, measures__id=measure_id)
    if viewer is not None:
        tests = tests.filter(pk__in=tests_visible(viewer=viewer).values("pk"))
    result = []
    for test in tests.order_by("starts_on", "created_at", "id").distinct():
        result.append(
            {
                "date": test.starts_on or timezone.localdate(test.created_at),
                "title": test.title,
                "url": reverse(
                    "knowledge:test_detail",
                    kwargs={"org_slug": organization.slug, "test_id": test.pk},
                ),
                "outcome": test_outcome(test),
                "act_decision": test.act_decision,
                "prediction_held": test.prediction_held,
            }
        )
    return sorted(result, key=lambda row: row["date"])
