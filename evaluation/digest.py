"""The evaluation app's digest section: open surveys (assessments, the final
satisfaction survey, NoMAD rounds) a member has not answered yet, and to site team
leads the monthly progress rating still due. This is how a survey
round is sent to members: each digest carries it until they answer or it closes.

It follows the notifications app's section-provider contract
(``notifications.sections.base``): a batch of people in, items keyed by (person id,
community id) out, two queries per batch whatever its size. The notifications app
lists providers in ``notifications.sections.providers()``; this one is named there
as ``evaluation.digest.PROVIDERS``.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from evaluation.models import ProgressRating, Survey, SurveyRespondent
from evaluation.permissions import EvaluationPermission as E


class OpenSurveysProvider:
    key = "evaluation"
    title = _("Surveys waiting for your answer")
    order = 35

    def collect(self, batch) -> dict:
        from notifications.sections.base import Item, site_url

        out: dict = {}
        today = timezone.localdate()
        with scopes_disabled():  # explicit filters on the batch's communities below
            surveys = list(
                Survey.objects.filter(
                    community_id__in=batch.community_ids, status=Survey.Status.OPEN
                )
                .exclude(closes_on__lt=today)
                .order_by("closes_on", "id")
                .values_list("id", "community_id", "title", "purpose", "closes_on")
            )
            answered: dict[int, set[int]] = defaultdict(set)
            for survey_id, user_id in SurveyRespondent.objects.filter(
                survey_id__in=[s[0] for s in surveys], user_id__in=list(batch.users)
            ).values_list("survey_id", "user_id"):
                answered[survey_id].add(user_id)
        labels = dict(Survey.Purpose.choices)
        for survey_id, community_id, title, purpose, closes_on in surveys:
            community = batch.communities[community_id]
            item = Item(
                title=title,
                url=site_url(
                    "evaluation:survey_respond",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                    survey_id=survey_id,
                ),
                note=labels.get(purpose, ""),
                when=closes_on,
            )
            for user_id in batch.members_with(community_id, E.RESPOND):
                if user_id not in answered[survey_id]:
                    out.setdefault((user_id, community_id), []).append(item)
        return out


class ProgressRatingsDueProvider:
    """To each site team lead: the teams whose month is not self-rated yet (one query)."""

    key = "progress_ratings"
    title = _("Progress to rate this month")
    order = 36

    def collect(self, batch) -> dict:
        from measurement.models import SiteEnrolment
        from notifications.sections.base import Item, site_url

        out: dict = {}
        month = timezone.localdate().replace(day=1)
        with scopes_disabled():  # explicit filters on the batch's communities below
            due = list(
                SiteEnrolment.objects.filter(
                    community_id__in=batch.community_ids, team_lead_id__in=list(batch.users)
                )
                .exclude(ends_on__lt=month)
                .exclude(
                    Exists(
                        ProgressRating.objects.filter(
                            community=OuterRef("community"),
                            site=OuterRef("site"),
                            month=month,
                            kind=ProgressRating.Kind.SELF,
                        )
                    )
                )
                .order_by("site__name")
                .values_list("team_lead_id", "community_id", "site_id", "site__name")
            )
        for user_id, community_id, site_id, site_name in due:
            if community_id not in batch.roles.get(user_id, {}):
                continue  # no longer a member (or opted out of this CoP's digest)
            community = batch.communities[community_id]
            item = Item(
                title=site_name,
                url=site_url(
                    "evaluation:progress_rate",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                    site_id=site_id,
                )
                + "?kind=self",
                note=_("Self-rating on the IHI Assessment Scale due this month"),
                when=month,
            )
            out.setdefault((user_id, community_id), []).append(item)
        return out


PROVIDERS = [OpenSurveysProvider(), ProgressRatingsDueProvider()]
