"""Forms of the monthly progress ratings: the rating itself (a level of the scale and a
short note) and naming each site's team lead."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from evaluation.models import LEVEL_DESCRIPTIONS, AssessmentLevel
from evaluation.services.progress import NOTE_MAX


def _level_choices():
    """Each level with its description, so the scale is read where it is chosen."""
    return [
        (value, format_lazy("{} – {}", label, LEVEL_DESCRIPTIONS[AssessmentLevel(value)]))
        for value, label in AssessmentLevel.choices
    ]


class ProgressRateForm(forms.Form):
    score = forms.ChoiceField(
        label=_("Where does the team stand this month?"),
        choices=_level_choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a level of the scale.")},
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("What happened this month that explains the rating (a sentence or two)."),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TeamLeadForm(forms.Form):
    """One select per site: the CoP's members to choose from."""

    def __init__(self, *args, enrolments, members, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Nobody yet"))] + [(str(u.pk), u.display_name) for u in members]
        for enrolment in enrolments:
            self.fields[f"site_{enrolment.site_id}"] = forms.ChoiceField(
                label=enrolment.site.name,
                choices=choices,
                required=False,
                initial=str(enrolment.team_lead_id or ""),
            )
