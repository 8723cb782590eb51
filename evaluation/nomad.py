"""The NoMAD item bank, worded for this platform.

NoMAD (Finch TL, Girling M, May CR, et al. Improving the normalization of complex
interventions: part 2 - validation of the NoMAD instrument for assessing
implementation work based on normalization process theory (NPT). BMC Med Res Methodol
2018;18:135. doi:10.1186/s12874-018-0591-x) asks three general questions on a 0-10
scale and twenty questions on a five-point agreement scale, each with "not relevant"
options, grouped by the four constructs of Normalisation Process Theory (May and
Finch). The wording below is this platform's own, following the instrument's
structure and the sub-construct each item probes; ``{practice}`` is replaced by what
the CoP is putting into practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AGREEMENT_LABELS = {
    5: _("Strongly agree"),
    4: _("Agree"),
    3: _("Neither agree nor disagree"),
    2: _("Disagree"),
    1: _("Strongly disagree"),
}


@dataclass(frozen=True)
class NptConstruct:
    key: str
    name: StrOrPromise
    question: StrOrPromise  # the practical question, in plain language
    explanation: StrOrPromise


CONSTRUCTS: list[NptConstruct] = [
    NptConstruct(
        "coherence",
        _("Coherence"),
        _("Do people make sense of it?"),
        _(
            "Whether people see how the new practice differs from what they did, "
            "and share a view of what it is for."
        ),
    ),
    NptConstruct(
        "cognitive_participation",
        _("Cognitive participation"),
        _("Do people invest in it?"),
        _("Whether people sign up to the work, see it as their business and keep supporting it."),
    ),
    NptConstruct(
        "collective_action",
        _("Collective action"),
        _("Can people coordinate and do it?"),
        _("Whether people have the skills, resources and working relationships to do the work."),
    ),
    NptConstruct(
        "reflexive_monitoring",
        _("Reflexive monitoring"),
        _("Do people appraise it?"),
        _("Whether people see its effects, judge them, and adjust the practice in response."),
    ),
]
CONSTRUCT_BY_KEY = {c.key: c for c in CONSTRUCTS}


@dataclass(frozen=True)
class Item:
    code: str
    construct: str  # "" for the general items
    sub_construct: StrOrPromise
    text: StrOrPromise


GENERAL_ITEMS: list[Item] = [
    Item("G1", "", _("familiarity"), _("How familiar does {practice} feel to you at the moment?")),
    Item(
        "G2",
        "",
        "current normality",
        _("Does {practice} feel like a normal part of your work now?"),
    ),
    Item(
        "G3",
        "",
        "future normality",
        _("Do you expect {practice} to become a normal part of your work?"),
    ),
]
GENERAL_SCALE = (0, 10, _("Not at all"), _("Completely"))

CONSTRUCT_ITEMS: list[Item] = [
    Item(
        "CO1",
        "coherence",
        "differentiation",
        _("I can tell how {practice} differs from the way we worked before."),
    ),
    Item(
        "CO2",
        "coherence",
        "communal specification",
        _("My colleagues and I share an understanding of what {practice} is meant to achieve."),
    ),
    Item(
        "CO3",
        "coherence",
        "individual specification",
        _("I know what {practice} asks of me in my own work."),
    ),
    Item("CO4", "coherence", "internalisation", _("I can see that {practice} is worth doing.")),
    Item(
        "CP1",
        "cognitive_participation",
        "initiation",
        _("There are people here who lead others in taking up {practice}."),
    ),
    Item(
        "CP2",
        "cognitive_participation",
        "legitimation",
        _("I think taking part in {practice} is a proper part of my job."),
    ),
    Item(
        "CP3",
        "cognitive_participation",
        "enrolment",
        _("I am willing to work with colleagues in new ways to make {practice} happen."),
    ),
    Item("CP4", "cognitive_participation", "activation", _("I will keep supporting {practice}.")),
    Item(
        "CA1",
        "collective_action",
        "interactional workability",
        _("I can fit {practice} into my everyday work without difficulty."),
    ),
    Item(
        "CA2",
        "collective_action",
        "relational integration",
        _("{practice} has not weakened the trust I have in colleagues' work."),
    ),
    Item(
        "CA3",
        "collective_action",
        "relational integration",
        _("I trust my colleagues to do their part of {practice}."),
    ),
    Item(
        "CA4",
        "collective_action",
        "skill set workability",
        _("The tasks of {practice} go to the people best placed to do them."),
    ),
    Item(
        "CA5",
        "collective_action",
        "skill set workability",
        _("People doing {practice} get enough training for it."),
    ),
    Item(
        "CA6",
        "collective_action",
        "contextual integration",
        _("There are enough resources to do {practice} well."),
    ),
    Item(
        "CA7",
        "collective_action",
        "contextual integration",
        _("Leaders here support {practice} sufficiently."),
    ),
    Item(
        "RM1",
        "reflexive_monitoring",
        "systematisation",
        _("I hear about what {practice} is achieving."),
    ),
    Item(
        "RM2",
        "reflexive_monitoring",
        "communal appraisal",
        _("My colleagues and I agree that {practice} is worthwhile."),
    ),
    Item(
        "RM3",
        "reflexive_monitoring",
        "individual appraisal",
        _("I value what {practice} does for my own work."),
    ),
    Item(
        "RM4",
        "reflexive_monitoring",
        "reconfiguration",
        _("My feedback on {practice} can lead to it being improved."),
    ),
    Item(
        "RM5",
        "reflexive_monitoring",
        "reconfiguration",
        _("I can change how I do {practice} to suit my work."),
    ),
]

ITEM_BY_CODE = {item.code: item for item in GENERAL_ITEMS + CONSTRUCT_ITEMS}
