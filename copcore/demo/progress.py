"""The sepsis CoP's monthly progress ratings on the IHI Assessment Scale: twelve months
at its five sites, each rated by its team lead and by the faculty. St Brigid's is
stuck at 2.0 (active, no changes tested) for most of the year; the faculty rates
Northshore General lower than the team did last month; this month the four other
teams have rated themselves and Northshore General's lead (the demo member) has not
yet, so it waits in their "what needs you now".

The past months are written as rows (the service rates only the current month, by
design: a month is closed once it ends); the current month goes through the service.
"""

from __future__ import annotations

from decimal import Decimal

from communities.models import Community
from copcore.demo.clock import add_months, today
from copcore.demo.people import (
    CONVENER,
    EXPERT,
    FACILITATOR,
    MEMBER,
    NURSE,
    PHARMACIST,
    STEWARD,
    Cast,
)
from evaluation import services as evaluation
from evaluation.models import ProgressRating
from measurement.models import SiteEnrolment

LEADS = {"NGH": MEMBER, "SBH": NURSE, "HSC": PHARMACIST, "RCMHT": EXPERT, "EAOS": STEWARD}
# Self-ratings, oldest month first (twelve complete months before the current one).
SELF = {
    "NGH": "1.0 1.5 2.0 2.0 2.5 2.5 3.0 3.0 3.5 3.5 4.0 4.0",
    "SBH": "1.0 1.5 1.5 2.0 2.0 2.0 2.0 2.0 2.0 2.0 2.0 2.0",
    "HSC": "1.5 2.0 2.0 2.5 2.5 3.0 3.0 3.0 3.5 3.5 3.5 4.0",
    "RCMHT": "1.0 1.0 1.5 1.5 2.0 2.0 2.5 2.5 2.5 3.0 3.0 3.0",
    "EAOS": "1.0 1.5 1.5 2.0 2.0 2.5 2.5 3.0 3.0 3.0 3.5 3.5",
}
# Where the faculty saw it differently: (site, months before the current one) -> score.
FACULTY_DIFFERS = {("NGH", 1): "3.5", ("HSC", 4): "3.0"}
NOTES = {
    "1.0": "Team named; first meeting booked.",
    "1.5": "Aim and measures agreed; baseline audit planned.",
    "2.0": "Meeting monthly and collecting data; no change tested yet.",
    "2.5": "First PDSA cycles on the screening tool; no change in the measures yet.",
    "3.0": "Screening now on every admission on two wards; bundle compliance rising.",
    "3.5": "Improvement holding on all adult wards.",
    "4.0": "Half the aim's goals reached; planning spread to the night shift.",
}
FACULTY_NOTES = {
    ("NGH", 1): "Good progress, but the improvement is not yet sustained on nights: 3.5.",
    ("HSC", 4): "The measures have not moved enough yet for 3.5.",
}
THIS_MONTH_SELF = {"SBH": "2.0", "HSC": "4.0", "RCMHT": "3.0", "EAOS": "3.5"}


def ratings(cast: Cast, community: Community) -> None:
    convener, faculty = cast[CONVENER], cast[FACILITATOR]
    enrolments = {
        e.site.code: e
        for e in SiteEnrolment.objects.filter(community=community).select_related("site")
    }
    for code, persona in LEADS.items():
        enrolment = enrolments.get(code)
        if enrolment is not None and enrolment.team_lead_id is None:
            evaluation.site_team_lead_set(
                actor=convener, community=community, site=enrolment.site, team_lead=cast[persona]
            )
    current = add_months(today(), 0)
    existing = set(
        ProgressRating.objects.filter(community=community).values_list(
            "site__code", "month", "kind"
        )
    )
    rows = []
    for code, scores in SELF.items():
        enrolment = enrolments.get(code)
        if enrolment is None:
            continue
        for index, score in enumerate(scores.split()):
            back = 12 - index
            month = add_months(current, -back)
            faculty_score = FACULTY_DIFFERS.get((code, back), score)
            for kind, value, rater, note in (
                ("self", score, cast[LEADS[code]], NOTES[score]),
                ("faculty", faculty_score, faculty, FACULTY_NOTES.get((code, back), "")),
            ):
                if (code, month, kind) in existing:
                    continue
                rows.append(
                    ProgressRating(
                        organization=community.organization,
                        community=community,
                        site=enrolment.site,
                        month=month,
                        kind=kind,
                        score=Decimal(value),
                        note=note,
                        rated_by=rater,
                    )
                )
    ProgressRating.objects.bulk_create(rows)
    for code, score in THIS_MONTH_SELF.items():
        if code in enrolments and (code, current, "self") not in existing:
            evaluation.progress_rate(
                actor=cast[LEADS[code]],
                community=community,
                site=enrolments[code].site,
                kind="self",
                score=score,
                note=NOTES[score],
                may_rate_as_faculty=False,
            )
    if "SBH" in enrolments and ("SBH", current, "faculty") not in existing:
        evaluation.progress_rate(
            actor=faculty,
            community=community,
            site=enrolments["SBH"].site,
            kind="faculty",
            score="2.0",
            note="Stuck at 2.0 for nine months: let us plan a first PDSA together at the "
            "next learning session.",
            may_rate_as_faculty=True,
        )
