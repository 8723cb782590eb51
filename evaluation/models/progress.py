"""Monthly progress ratings on IHI's Assessment Scale for Collaboratives.

Collaboratives rate every site team each month on one scale from 1.0 to 5.0 in half
steps, so the faculty sees who is stuck and where a team sees itself differently from
the faculty. Each site's team lead rates the month themselves (``SELF``); a convener or
facilitator adds the faculty's rating (``FACULTY``); the gap between the two is the
conversation to have. Source: Institute for Healthcare Improvement, "Assessment Scale
for Collaboratives" (https://www.ihi.org/resources/tools/assessment-scale-collaboratives);
the descriptions below are our own summaries of each level, not IHI's wording.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class AssessmentLevel(models.TextChoices):
    """The nine levels of the scale; the value is the score as text ("2.5")."""

    FORMING = "1.0", _("1.0 Forming team")
    PLANNING = "1.5", _("1.5 Planning for the project has begun")
    ACTIVITY = "2.0", _("2.0 Activity but no changes")
    TESTED = "2.5", _("2.5 Changes tested but no improvement")
    MODEST = "3.0", _("3.0 Modest improvement")
    IMPROVEMENT = "3.5", _("3.5 Improvement")
    SIGNIFICANT = "4.0", _("4.0 Significant improvement")
    SUSTAINABLE = "4.5", _("4.5 Sustainable improvement")
    OUTSTANDING = "5.0", _("5.0 Outstanding sustainable results")


LEVEL_DESCRIPTIONS = {
    AssessmentLevel.FORMING: _(
        "The team is being formed: members are named and the work has not started yet."
    ),
    AssessmentLevel.PLANNING: _(
        "The team meets, agrees its aim and measures and plans how it will work; no tests yet."
    ),
    AssessmentLevel.ACTIVITY: _(
        "The team is active (meetings, baseline data, learning sessions) but has not "
        "tested a change."
    ),
    AssessmentLevel.TESTED: _(
        "Changes are being tested in PDSA cycles and key measures are reported, but the "
        "measures have not moved."
    ),
    AssessmentLevel.MODEST: _(
        "Tested changes begin to show in the measures: a first, modest improvement."
    ),
    AssessmentLevel.IMPROVEMENT: _(
        "Changes are implemented for part of the target population and the measures "
        "improve clearly towards the aim."
    ),
    AssessmentLevel.SIGNIFICANT: _(
        "Changes are implemented across the target population and about half of the "
        "aim's goals are reached."
    ),
    AssessmentLevel.SUSTAINABLE: _(
        "Most goals are reached and the improvement holds; plans to spread and sustain "
        "it are in place."
    ),
    AssessmentLevel.OUTSTANDING: _(
        "Every goal of the aim is reached, sustained over time, and the changes are "
        "spreading beyond the team."
    ),
}

LEVELS: tuple[Decimal, ...] = tuple(Decimal(v) for v in AssessmentLevel.values)


class ProgressRating(models.Model):
    """One rating of one site team for one calendar month: either the team lead's own
    (``self``) or the faculty's (``faculty``). One of each kind per site and month; it
    may be revised while its month is the current month, then it is kept as history."""

    class Kind(models.TextChoices):
        SELF = "self", _("Self-rating (site team lead)")
        FACULTY = "faculty", _("Faculty rating")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="progress_ratings"
    )
    site = models.ForeignKey("measurement.Site", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month rated."))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    score = models.DecimalField(
        _("score"),
        max_digits=2,
        decimal_places=1,
        choices=[(Decimal(v), label) for v, label in AssessmentLevel.choices],
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = OrganizationScopedManager()

    class Meta:
        ordering = ["community", "site", "-month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "site", "month", "kind"], name="unique_progress_rating"
            ),
            models.CheckConstraint(
                condition=Q(score__in=list(LEVELS)), name="progress_rating_on_scale"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="progress_rating_month_start"),
        ]
        indexes = [models.Index(fields=["community", "month"], name="progress_community_month")]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m} {self.kind} {self.score}"

    @property
    def level_label(self) -> str:
        return str(AssessmentLevel(f"{self.score:.1f}").label)

    @property
    def level_description(self) -> str:
        return str(LEVEL_DESCRIPTIONS[AssessmentLevel(f"{self.score:.1f}")])
