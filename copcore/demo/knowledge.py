"""The sepsis CoP's knowledge: assets through intake, curation and publication with
versions, field notes (one waiting for curation, one promoted), and PDSA tests with
chained cycles, one of which failed."""

from __future__ import annotations

import datetime as dt

from communities.models import Community, Tag
from copcore.demo.clock import backdate, days_ago, moment
from copcore.demo.people import EXPERT, FACILITATOR, MEMBER, NURSE, PHARMACIST, STEWARD, Cast
from knowledge import services as knowledge
from knowledge.models import (
    ActDecision,
    Asset,
    FieldNote,
    PredictionHeld,
    TestOfChange,
    TestStatus,
    Visibility,
)
from measurement.models import Measure

CHECKLIST_V1 = """## Sepsis screening at the bedside

1. NEWS2 of 5 or more, or a single red score: screen for sepsis.
2. Suspected infection? Start the Sepsis Six.
3. Tell the nurse in charge and the doctor.
"""
CHECKLIST_V2 = CHECKLIST_V1.replace(
    "3. Tell the nurse in charge and the doctor.",
    "3. Tell the nurse in charge and the doctor within 15 minutes.\n"
    "4. Give the first antibiotic dose within 60 minutes: use the ward grab bag.",
)
PACKAGE_BODY = """The change ideas our sites tested, in the order we recommend them.
Each links to the tests of change that tried it."""
PACKAGE_IDEAS = [
    ("Screen at every observation round", "NEWS2 of 5 or more triggers a screen."),
    ("Antibiotic grab bag on every ward", "First dose without a trip to pharmacy."),
    ("02:00 safety huddle on nights", "Review every patient with a rising score."),
]


def assets(cast: Cast, community: Community, tags: dict[str, Tag]) -> None:
    convener = cast.convener
    have = set(Asset.objects.filter(community=community).values_list("title", flat=True))
    if "Bedside sepsis screening checklist" not in have:
        checklist = knowledge.asset_create(
            actor=cast[NURSE], organization=cast.organization, community=community,
            kind=Asset.Kind.CHECKLIST, title="Bedside sepsis screening checklist",
            summary="The one-page checklist every site uses.", body=CHECKLIST_V1,
            visibility=Visibility.ORGANIZATION, tags=[tags["Screening"]],
        )  # fmt: skip
        knowledge.asset_submit(actor=cast[NURSE], asset=checklist)
        knowledge.asset_request_changes(
            actor=convener, asset=checklist, reason="Add the 60-minute antibiotic step."
        )
        knowledge.asset_version_create(
            actor=cast[NURSE], asset=checklist, body=CHECKLIST_V2,
            change_note="Added the 15-minute and 60-minute steps.",
        )  # fmt: skip
        knowledge.asset_submit(actor=cast[NURSE], asset=checklist)
        knowledge.asset_publish(actor=convener, asset=checklist)
        backdate(Asset.objects.filter(pk=checklist.pk), created_at=moment(days_ago(280)))
    if "Sepsis Six change package" not in have:
        package = knowledge.asset_create(
            actor=convener, organization=cast.organization, community=community,
            kind=Asset.Kind.CHANGE_PACKAGE, title="Sepsis Six change package",
            summary="What worked at our five sites.", body=PACKAGE_BODY,
            visibility=Visibility.ORGANIZATION, tags=[tags["Screening"], tags["Antibiotics"]],
        )  # fmt: skip
        for idea, description in PACKAGE_IDEAS:
            knowledge.package_item_add(
                actor=convener, package=package, change_idea=idea, description=description
            )
        knowledge.asset_publish(actor=convener, asset=package)
    if "Antibiotic timing audit template" not in have:
        template = knowledge.asset_create(
            actor=cast[STEWARD], organization=cast.organization, community=community,
            kind=Asset.Kind.TEMPLATE, title="Antibiotic timing audit template",
            summary="Columns for the monthly audit of first-dose times.",
            body="| patient episode | screen time | first dose time | minutes |\n|---|---|---|---|",
            tags=[tags["Data quality"], tags["Antibiotics"]],
        )  # fmt: skip
        knowledge.asset_submit(actor=cast[STEWARD], asset=template)  # the curation queue
    if "Night-shift escalation protocol" not in have:
        protocol = knowledge.asset_create(
            actor=cast[PHARMACIST], organization=cast.organization, community=community,
            kind=Asset.Kind.PROTOCOL, title="Night-shift escalation protocol",
            summary="Who to call after 22:00 when a patient screens positive.",
            body="Draft: call the site manager, then the outreach team.",
            tags=[tags["Escalation"]],
        )  # fmt: skip
        knowledge.asset_submit(actor=cast[PHARMACIST], asset=protocol)
        knowledge.asset_request_changes(
            actor=convener, asset=protocol, reason="Name the SBH on-call route (see escalation)."
        )
    if "ECHO clinic recording: recognising sepsis in people with psychosis" not in have:
        knowledge.asset_create(
            actor=cast[FACILITATOR], organization=cast.organization, community=community,
            kind=Asset.Kind.VIDEO,
            title="ECHO clinic recording: recognising sepsis in people with psychosis",
            link="https://video.example.org/northshore/echo-sepsis-psychosis",
            tags=[tags["Training"]],
        )  # fmt: skip


NOTES = [
    ("Grab bag opened three times on the first night", NURSE, "NGH", "posted", 200),
    ("Patients did not understand why they were screened", EXPERT, "HSC", "submitted", 20),
    ("Huddle at 02:00 works only with a named lead", MEMBER, "SBH", "promoted", 90),
]


def field_notes(cast: Cast, community: Community, tags: dict[str, Tag]) -> None:
    have = set(FieldNote.objects.filter(community=community).values_list("title", flat=True))
    for title, author, site, state, ago in NOTES:
        if title in have:
            continue
        note = knowledge.field_note_create(
            actor=cast[author], community=community, title=title, site=cast.sites[site],
            body=f"{title}. Written up after the shift so the other sites can learn from it.",
            tags=[tags["Screening"]],
        )  # fmt: skip
        backdate(FieldNote.objects.filter(pk=note.pk), created_at=moment(days_ago(ago)))
        if state in ("submitted", "promoted"):
            knowledge.field_note_submit(actor=cast[author], note=note)
        if state == "promoted":
            asset = knowledge.field_note_promote(actor=cast.convener, note=note)
            knowledge.asset_publish(actor=cast.convener, asset=asset)


AUTHORS = {"NURSE": NURSE, "PHARMACIST": PHARMACIST, "MEMBER": MEMBER}


def _cycle(cast, community, measures, previous, **fields) -> TestOfChange:
    return knowledge.test_of_change_create(
        actor=cast[AUTHORS[fields.pop("author")]], community=community, previous_cycle=previous,
        site=cast.sites[fields.pop("site")], measures=measures, tags=fields.pop("tags"),
        **fields,
    )  # fmt: skip


def tests_of_change(
    cast: Cast, community: Community, measures: dict[str, Measure], tags: dict[str, Tag]
) -> dict[str, TestOfChange]:
    found = {t.title: t for t in TestOfChange.objects.filter(community=community)}
    if found:
        return found
    bundle = [measures["bundle"]]
    antibiotics = [tags["Antibiotics"]]
    start = days_ago(330)

    def day(offset: int) -> dt.date:
        return start + dt.timedelta(days=offset)

    grab1 = _cycle(
        cast, community, bundle, None, tags=antibiotics, author="NURSE", site="NGH",
        title="Antibiotic grab bag, cycle 1", change_idea="A sealed grab bag on one ward",
        objective="Cut the time to the first dose", prediction="Median time under 60 minutes",
        plan_who="Ward 7 nurses", plan_what="One grab bag, restocked daily",
        plan_when="Two weeks", plan_where="Ward 7", plan_data="Time from screen to dose",
        do_what_happened="Used for 9 patients; restocking was missed twice.",
        study_results="Median 52 minutes (was 95).", prediction_held=PredictionHeld.YES,
        act_decision=ActDecision.ADAPT, act_notes="Add a restocking checklist; try 3 wards.",
        status=TestStatus.DONE, starts_on=day(0), ends_on=day(14),
    )  # fmt: skip
    grab2 = _cycle(
        cast, community, bundle, grab1, tags=antibiotics, author="NURSE", site="NGH",
        title="Antibiotic grab bag, cycle 2", change_idea="Grab bags with a restocking checklist",
        objective="Keep the gain on three wards", prediction="Every bag complete at each check",
        plan_who="Wards 5, 7 and 9", plan_what="Checklist on the bag",
        do_what_happened="All bags complete on 26 of 28 checks.",
        study_results="Median 48 minutes on the three wards.", prediction_held=PredictionHeld.YES,
        act_decision=ActDecision.ADOPT, act_notes="Spread to every site (change package).",
        status=TestStatus.DONE, starts_on=day(20), ends_on=day(48),
    )  # fmt: skip
    _cycle(
        cast, community, bundle, grab2, tags=antibiotics, author="PHARMACIST", site="SBH",
        title="Antibiotic grab bag, cycle 3 (SBH)", change_idea="Grab bags at a second hospital",
        objective="See whether the gain carries to SBH", prediction="Median under 60 minutes",
        plan_who="SBH acute wards", status=TestStatus.RUNNING, starts_on=days_ago(25),
    )  # fmt: skip
    nurse_led = _cycle(
        cast, community, bundle, None, tags=antibiotics, author="MEMBER", site="HSC",
        title="Nurse-initiated antibiotics", change_idea="Nurses give the first dose by PGD",
        objective="Remove the wait for a doctor", prediction="First dose within 30 minutes",
        plan_who="Two trained nurses", plan_what="Patient group direction for co-amoxiclav",
        do_what_happened="Only 2 of 11 eligible patients received the dose by PGD.",
        do_observations="Nurses were not confident; the PGD excluded penicillin allergy.",
        study_results="No change in time to first dose.", prediction_held=PredictionHeld.NO,
        act_decision=ActDecision.ABANDON,
        act_notes="Abandoned: training first. Shared as a lesson for other networks.",
        status=TestStatus.DONE, starts_on=day(60), ends_on=day(90),
    )  # fmt: skip
    _cycle(
        cast, community, bundle, nurse_led, tags=antibiotics, author="MEMBER", site="HSC",
        title="Sepsis simulation training before PGD", change_idea="Simulation for night nurses",
        objective="Build confidence before retrying the PGD", prediction="8 of 10 confident",
        status=TestStatus.PLANNED, starts_on=days_ago(-10),
    )  # fmt: skip
    for test in TestOfChange.objects.filter(community=community, starts_on__lte=days_ago(0)):
        if test.starts_on is None:  # the filter excludes them; this tells mypy
            continue
        backdate(
            TestOfChange.objects.filter(pk=test.pk),
            created_at=moment(test.starts_on),
            updated_at=moment(test.ends_on or test.starts_on),
        )
    return {t.title: t for t in TestOfChange.objects.filter(community=community)}


def searchable_basics(cast: Cast, community: Community, topic: str, idea: str) -> None:
    """A field note, a PDSA test and a discussion, so search finds something in every
    CoP (once: skipped when the CoP already has a note)."""
    from communities import services as communities

    if FieldNote.objects.filter(community=community).exists():
        return
    knowledge.field_note_create(
        actor=cast[MEMBER], community=community, title=f"First week: {topic}",
        body=f"What we noticed about {topic} in the first week, and what we will try: {idea}.",
    )  # fmt: skip
    knowledge.test_of_change_create(
        actor=cast[MEMBER], community=community, title=f"Small test: {idea}",
        change_idea=idea, objective=f"Learn whether {idea} helps with {topic}",
        prediction="Most teams will find it workable",
    )  # fmt: skip
    workstream = communities.workstream_create(
        actor=cast.convener, community=community, name="Getting started"
    )
    thread = communities.thread_create(
        actor=cast[MEMBER], workstream=workstream, title=f"Has anyone tried {idea}?",
        body=f"We want to test {idea} for {topic}. What should we watch for?",
    )  # fmt: skip
    communities.post_create(
        actor=cast.convener, thread=thread,
        body=f"Start small: one team, two weeks, and write down what happens with {topic}.",
    )  # fmt: skip
