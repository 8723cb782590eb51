"""The Implementation CoP (sepsis), part one: its design, charter in two versions, role
terms with a rotation and a term ending soon, tags, workstreams and discussions with
mentions, a flagged post, a closed thread and an escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from communities import services as communities
from communities.models import (
    CharterVersion,
    Community,
    Escalation,
    JoinRequest,
    Phase,
    PhaseTransition,
    Post,
    PostFlag,
    Tag,
    Thread,
    Workstream,
)
from copcore.demo.clock import backdate, days_ago, moment
from copcore.demo.people import (
    CONVENER,
    EQUITY_ADVISOR,
    EXPERT,
    FACILITATOR,
    FORMER_MODERATOR,
    MEMBER,
    MODERATOR,
    NEWCOMER,
    NURSE,
    PHARMACIST,
    SPONSOR,
    STEWARD,
    Cast,
    keep_a_term_ending_soon,
    term,
)
from copcore.permissions import CommunityRole

NAME = "CoP to cut time to antibiotics in sepsis"
SLUG = "sepsis"
STARTED_DAYS_AGO = 380  # designed about thirteen months ago, implementing for a year

DESIGN: dict[str, dict[str, Any]] = {
    "domain": {"topic": "Sepsis recognition and treatment on acute and mental-health wards"},
    "problem": {
        "problem": (
            "Patients with sepsis on our wards wait a median of 2 h 40 min for their first "
            "antibiotic dose; fewer than half receive the Sepsis Six within the hour, and "
            "inpatients on mental-health wards are recognised late."
        )
    },
    "objectives": {"objectives": ["problem_solving", "knowledge_sharing", "best_practices"]},
    "audiences": {
        "target_audiences": (
            "Ward nurses, junior doctors and pharmacists at the five sites; patients and "
            "carers who benefit from earlier treatment."
        )
    },
    "call": {"call_type": "restricted"},
    "rhythm": {
        "rhythm": ["monthly_all_hands", "weekly_office_hours", "quarterly_retrospective"],
        "rhythm_notes": "Monthly ECHO clinic with a case; office hours every Thursday.",
    },
}
RESULTS = [
    (
        "Sepsis Six completed within one hour for 80% of patients at every site",
        "Monthly bundle-completion measure, run chart per site",
    ),
    (
        "A shared screening tool adopted on every adult ward",
        "Adoption count in the RE-AIM one-pager",
    ),
    (
        "Lessons from failed tests published for other networks",
        "Assets of kind lesson learned, published organization-wide",
    ),
]
CHARTER_V1 = {
    "purpose": "Cut the time from recognition to first antibiotic dose in sepsis.",
    "definitions": "Sepsis: suspected infection with a NEWS2 of 5 or more.",
    "data_sources": "Electronic observations and prescribing records, monthly extracts.",
    "practice_standards": "Screen every adult with NEWS2 of 5 or more within 15 minutes.",
    "decision_rights": "The convener decides with the planning group; sites decide locally.",
    "conflict_resolution": "Raise it with the moderator; unresolved issues go to the convener.",
    "norms": "Share failures as readily as successes. No patient-identifiable details.",
    "meeting_rhythm": "Monthly ECHO clinic, weekly office hours.",
    "privacy_consent": "Only aggregate data per site and month; cases are de-identified.",
}
CHARTER_V2 = {
    **CHARTER_V1,
    "practice_standards": (
        "Screen every adult with NEWS2 of 5 or more within 15 minutes; give the first "
        "antibiotic dose within 60 minutes of a positive screen."
    ),
    "meeting_rhythm": (
        "Monthly ECHO clinic (second Tuesday), weekly office hours (Thursday), quarterly "
        "retrospective."
    ),
}
TAGS = ["Screening", "Antibiotics", "Escalation", "Equity", "Training", "Data quality"]


def design_and_roles(cast: Cast, community: Community) -> None:
    started = days_ago(STARTED_DAYS_AGO)
    convener = cast.convener
    # Roles: Samuel moderated the first half year and handed over to Luis (a rotation).
    term(cast, community, CONVENER, CommunityRole.CONVENER, started)
    if term(cast, community, FORMER_MODERATOR, CommunityRole.MODERATOR, started) is not None:
        moderator_term = community.role_assignments.get(
            user=cast[FORMER_MODERATOR], role=CommunityRole.MODERATOR
        )
        communities.role_change(
            actor=convener,
            assignment=moderator_term,
            role=CommunityRole.MEMBER,
            on=started + dt.timedelta(days=190),
        )
    term(cast, community, MODERATOR, CommunityRole.MODERATOR, started + dt.timedelta(days=190))
    term(cast, community, FACILITATOR, CommunityRole.FACILITATOR, started)
    term(cast, community, STEWARD, CommunityRole.DATA_STEWARD, started)
    term(cast, community, MEMBER, CommunityRole.MEMBER, started + dt.timedelta(days=14))
    term(cast, community, SPONSOR, CommunityRole.SPONSOR, started)
    term(cast, community, EXPERT, CommunityRole.EXPERT_BY_EXPERIENCE, started)
    term(cast, community, NURSE, CommunityRole.MEMBER, started + dt.timedelta(days=30))
    term(cast, community, PHARMACIST, CommunityRole.MEMBER, started + dt.timedelta(days=45))
    keep_a_term_ending_soon(cast, community, EQUITY_ADVISOR, CommunityRole.EQUITY_ADVISOR)
    if community.phase != Phase.DESIGN:
        return
    for step, values in DESIGN.items():
        communities.community_design_save(
            actor=convener, community=community, step=step, values=dict(values)
        )
    communities.community_design_save(
        actor=convener,
        community=community,
        step="dates",
        values={"starts_on": started, "planned_end_on": started + dt.timedelta(days=730)},
    )
    communities.expected_results_set(actor=convener, community=community, results=RESULTS)
    communities.design_step_mark_saved(actor=convener, community=community, step="roles")
    _charter(cast, community)
    communities.community_phase_change(
        actor=convener, community=community, to_phase=Phase.IMPLEMENTATION
    )
    community.refresh_from_db()
    backdate(
        PhaseTransition.objects.filter(community=community),
        created_at=moment(started + dt.timedelta(days=21)),
    )
    backdate(Community.objects.filter(pk=community.pk), created_at=moment(started))


def _charter(cast: Cast, community: Community) -> None:
    convener = cast.convener
    communities.charter_draft_update(actor=convener, community=community, sections=CHARTER_V1)
    v1 = communities.charter_publish(
        actor=convener, community=community, change_note="First charter, agreed at the launch."
    )
    for persona in (MODERATOR, FACILITATOR, STEWARD, MEMBER, FORMER_MODERATOR, NURSE):
        communities.charter_acknowledge(actor=cast[persona], version=v1)
    backdate(CharterVersion.objects.filter(pk=v1.pk), published_at=moment(days_ago(360)))
    backdate(v1.acknowledgements.all(), acknowledged_at=moment(days_ago(355)))


def charter_second_version(cast: Cast, community: Community) -> None:
    """Version 2 tightened the standard after six months; not everyone has read it yet
    (the member's charter reminder)."""
    if CharterVersion.objects.filter(community=community).count() >= 2:
        return
    convener = cast.convener
    communities.charter_draft_update(actor=convener, community=community, sections=CHARTER_V2)
    v2 = communities.charter_publish(
        actor=convener,
        community=community,
        change_note="Added the 60-minute antibiotic standard and the meeting days.",
    )
    for persona in (MODERATOR, FACILITATOR, STEWARD):
        communities.charter_acknowledge(actor=cast[persona], version=v2)
    backdate(CharterVersion.objects.filter(pk=v2.pk), published_at=moment(days_ago(120)))
    backdate(v2.acknowledgements.all(), acknowledged_at=moment(days_ago(110)))


def tags(cast: Cast, community: Community) -> dict[str, Tag]:
    found = {t.name: t for t in Tag.objects.filter(organization=cast.organization)}
    if all(name in found for name in TAGS) and community.allowed_tags.exists():
        return found
    communities.community_tags_set(
        actor=cast.convener,
        community=community,
        tags=[found[n] for n in TAGS if n in found],
        new_names=[n for n in TAGS if n not in found],
    )
    return {t.name: t for t in Tag.objects.filter(organization=cast.organization)}


WORKSTREAMS = [
    ("Screening and recognition", "Spotting sepsis early: NEWS2, screening tools, triage."),
    ("Antibiotics within the hour", "From positive screen to first dose: pharmacy, access."),
    ("Data and measurement", "Definitions, monthly returns, charts and what they show."),
]

# (workstream, title, author, tags, [(author, body, days ago)], days ago started)
THREADS = [
    (
        0,
        "Which screening tool for mental-health wards?",
        NURSE,
        ["Screening"],
        "Our wards use NEWS2 but staff are unsure when to screen. What works elsewhere?",
        300,
        [
            (MEMBER, "At Harbour Street we screen at every observation round with NEWS2 ≥ 5.", 298),
            (EXPERT, "From the patient side: people were not told why they were checked.", 295),
            (MODERATOR, "@[Priya Nair] could you share your ward's prompt card?", 20),
        ],
    ),
    (
        0,
        "Night-shift recognition: what are we missing?",
        FACILITATOR,
        ["Screening", "Training"],
        "Three of last month's late recognitions were overnight. Ideas for night teams?",
        45,
        [
            (NURSE, "Fewer staff and no outreach team after 22:00 at SBH.", 44),
            (FORMER_MODERATOR, "This is the third time nights are blamed; please stop it.", 43),
            (
                MEMBER,
                "We trialled a 02:00 huddle; it helped. @[Mei Chen] can we discuss Thursday?",
                6,
            ),
        ],
    ),
    (
        1,
        "Antibiotic stock on the wards",
        PHARMACIST,
        ["Antibiotics"],
        "Delays come from fetching stock. Should each ward hold a sepsis grab bag?",
        250,
        [
            (STEWARD, "Since NGH added grab bags the median dose time fell by 25 minutes.", 200),
            (CONVENER, "Agreed at the ECHO clinic: every site tries a grab bag.", 190),
        ],
    ),
    (
        1,
        "First dose before the blood cultures?",
        NURSE,
        ["Antibiotics", "Escalation"],
        "If cultures cannot be taken within the hour, do we wait?",
        12,
        [(PHARMACIST, "No: take them if you can, but never delay the dose. See the protocol.", 10)],
    ),
    (
        2,
        "How do we count patients screened out of hours?",
        STEWARD,
        ["Data quality"],
        "Two sites count ward transfers twice. Proposal: count at the first positive screen.",
        150,
        [
            (CONVENER, "Agreed; the definitions section of the charter now says so.", 140),
            (MEMBER, "@[Daniel Byrne] will the old months be corrected?", 3),
        ],
    ),
]
CLOSED_THREAD = "Antibiotic stock on the wards"
CLOSING_SUMMARY = (
    "Every site tries a sepsis grab bag (checklist in the knowledge base). NGH's data "
    "show a 25-minute faster first dose; SBH and HSC report back at the next clinic."
)
FLAGGED_BODY_START = "This is the third time nights are blamed"


def discussions(cast: Cast, community: Community, tags_by_name: dict[str, Tag]) -> None:
    workstreams = []
    for name, description in WORKSTREAMS:
        found = Workstream.objects.filter(community=community, name=name).first()
        if found is None:
            found = communities.workstream_create(
                actor=cast[MODERATOR] if name != WORKSTREAMS[2][0] else cast.convener,
                community=community,
                name=name,
                description=description,
            )
            backdate(Workstream.objects.filter(pk=found.pk), created_at=moment(days_ago(350)))
        workstreams.append(found)
    for index, title, author, tag_names, body, started, replies in THREADS:
        if Thread.objects.filter(community=community, title=title).exists():
            continue
        thread = communities.thread_create(
            actor=cast[author],
            workstream=workstreams[index],
            title=title,
            body=body,
            tags=[tags_by_name[n] for n in tag_names],
        )
        backdate(Thread.objects.filter(pk=thread.pk), created_at=moment(days_ago(started)))
        backdate(thread.posts.all(), created_at=moment(days_ago(started)))
        for reply_author, reply, ago in replies:
            post = communities.post_create(actor=cast[reply_author], thread=thread, body=reply)
            backdate(Post.objects.filter(pk=post.pk), created_at=moment(days_ago(ago), 14))
        last = min(ago for _a, _b, ago in replies) if replies else started
        backdate(Thread.objects.filter(pk=thread.pk), last_activity_at=moment(days_ago(last), 14))
    _moderation(cast, community)


def _moderation(cast: Cast, community: Community) -> None:
    moderator = cast[MODERATOR]
    closed = Thread.objects.get(community=community, title=CLOSED_THREAD)
    if not closed.is_closed:
        communities.thread_close(actor=moderator, thread=closed, summary=CLOSING_SUMMARY)
        backdate(Thread.objects.filter(pk=closed.pk), closed_at=moment(days_ago(185)))
    pinned = Thread.objects.get(community=community, title=THREADS[0][1])
    if not pinned.is_pinned:
        communities.thread_pin(actor=moderator, thread=pinned, pinned=True)
    post = Post.objects.get(community=community, body__startswith=FLAGGED_BODY_START)
    if not PostFlag.objects.filter(post=post).exists():
        communities.post_flag(
            actor=cast[MEMBER],
            post=post,
            reason="The tone is dismissive of night staff; could the moderator step in?",
        )


def escalation(cast: Cast, community: Community) -> None:
    title = "No out-of-hours microbiology advice at St Brigid's"
    if Escalation.objects.filter(community=community, title=title).exists():
        return
    item = communities.escalation_create(
        actor=cast.convener,
        community=community,
        title=title,
        escalated_to=Escalation.Target.SENIOR_LEADERSHIP,
        owner=cast.convener,
        description=(
            "Night teams at SBH cannot reach a microbiologist; the CoP cannot fix the "
            "on-call rota itself. Raised with the medical director."
        ),
    )
    communities.escalation_update(
        actor=cast.convener,
        escalation=item,
        status=Escalation.Status.IN_PROGRESS,
        owner=cast.convener,
        outcome="Medical director reviewing a shared on-call rota with Northshore General.",
    )
    backdate(Escalation.objects.filter(pk=item.pk), created_at=moment(days_ago(60)))


def join_request(cast: Cast, community: Community) -> None:
    """A pending request for the convener to decide."""
    user = cast[NEWCOMER]
    if JoinRequest.objects.filter(community=community, user=user).exists():
        return
    communities.join_request_create(
        actor=user,
        community=community,
        job_title="Charge nurse, acute admissions ward",
        motivation="Our ward starts the screening tool next month; I want to learn from you.",
        expertise="Deteriorating-patient training",
        site=cast.sites["SBH"],
    )
