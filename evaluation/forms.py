"""Forms of the evaluation pages. Querysets are set per request (inside the
organization's scope), never at import time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, ExpectedResult, Objective
from copcore.forms import choice_field, model_choice_field
from evaluation.models import (
    CommunicationOutput,
    EricCluster,
    EricStrategy,
    NotRelevant,
    Question,
    ResultStatus,
    Survey,
)
from evaluation.nomad import AGREEMENT_LABELS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from communities.models import ExpectedResult
    from knowledge.models import TestOfChange
    from measurement.models import Measure

RATING_CHOICES = [
    ("", _("Not assessed")),
    ("-2", _("−2 strong barrier")),
    ("-1", _("−1 barrier")),
    ("0", _("0 neutral or mixed")),
    ("1", _("+1 facilitator")),
    ("2", _("+2 strong facilitator")),
]


class CfirRoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(
        label=_("Date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StrategyChooseForm(forms.Form):
    strategy = forms.ModelChoiceField(
        label=_("ERIC strategy"), queryset=EricStrategy.objects.none()
    )
    rationale = forms.CharField(
        label=_("Why this strategy for this barrier"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, clusters: list[EricCluster], **kwargs):
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "strategy")
        field.queryset = EricStrategy.objects.all()
        field.choices = [("", "---------")] + [
            (cluster.label, [(s.pk, s.label) for s in cluster.strategies.all()])
            for cluster in clusters
        ]


class StrategyLinkForm(forms.Form):
    tests: forms.ModelMultipleChoiceField[TestOfChange] = forms.ModelMultipleChoiceField(
        label=_("PDSA tests of change that try this strategy"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measures: forms.ModelMultipleChoiceField[Measure] = forms.ModelMultipleChoiceField(
        label=_("Measures that watch it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rationale = forms.CharField(
        label=_("Why this strategy for this barrier"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, community: Community, **kwargs):
        from knowledge.models import TestOfChange
        from measurement.models import Measure

        super().__init__(*args, **kwargs)
        model_choice_field(self, "tests").queryset = TestOfChange.objects.filter(
            community=community
        ).order_by("-created_at")
        model_choice_field(self, "measures").queryset = Measure.objects.filter(
            community=community
        ).order_by("code")


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(k, v) for k, v in Survey.Purpose.choices if k != Survey.Purpose.NOMAD],
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous: answers cannot be linked to the person"), required=False, initial=True
    )
    asks_site = forms.BooleanField(
        label=_("Ask for the respondent's site"), required=False, initial=True
    )
    introduction = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closes_on = forms.DateField(
        label=_("Closes on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SurveyDatesForm(forms.Form):
    """The closing date of a draft or open survey (the builder page and the opening
    confirmation link to it)."""

    closes_on = forms.DateField(
        label=_("Closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Answers are accepted until the end of this day. Empty: no closing date."),
    )


class NomadRoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    practice = forms.CharField(
        label=_("What is being put into practice"),
        max_length=120,
        required=False,
        help_text=_("Used in the questions, e.g. 'the sepsis screening bundle'."),
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For single and multiple choice."),
    )
    scale_min = forms.IntegerField(label=_("Scale from"), initial=1, required=False)
    scale_max = forms.IntegerField(label=_("Scale to"), initial=5, required=False)
    scale_min_label = forms.CharField(label=_("Label of the lowest value"), required=False)
    scale_max_label = forms.CharField(label=_("Label of the highest value"), required=False)
    allows_not_relevant = forms.BooleanField(
        label=_("Offer 'not relevant' options (agreement questions)"), required=False
    )
    objective = forms.ChoiceField(label=_("Objective it informs"), required=False)
    expected_result: forms.ModelChoiceField[ExpectedResult] = forms.ModelChoiceField(
        label=_("Expected result it informs"), queryset=None, required=False
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Objective.choices)
        choice_field(self, "objective").choices = [("", "---------")] + [
            (key, labels.get(key, key)) for key in community.objectives
        ]
        model_choice_field(self, "expected_result").queryset = ExpectedResult.objects.filter(
            community=community
        )


def response_form_class(survey: Survey, questions: list[Question], sites: list):
    """A form with one field per question (and the site when the survey asks it)."""
    fields: dict[str, forms.Field] = {}
    if survey.asks_site and sites:
        fields["site"] = forms.ChoiceField(
            label=_("Your site"),
            choices=[("", _("Prefer not to say"))] + [(str(s.pk), s.name) for s in sites],
            required=False,
        )
    for q in questions:
        name = f"q{q.pk}"
        common: dict[str, Any] = {
            "label": q.text,
            "required": q.required,
            "help_text": q.help_text,
        }
        if q.kind == Question.Kind.SINGLE:
            fields[name] = forms.ChoiceField(
                choices=[(o, o) for o in q.options], widget=forms.RadioSelect, **common
            )
        elif q.kind == Question.Kind.MULTIPLE:
            fields[name] = forms.MultipleChoiceField(
                choices=[(o, o) for o in q.options], widget=forms.CheckboxSelectMultiple, **common
            )
        elif q.kind == Question.Kind.SCALE:
            choices: list[tuple[str, StrOrPromise]] = []
            for v in range(q.scale_min, q.scale_max + 1):
                label = str(v)
                if v == q.scale_min and q.scale_min_label:
                    label = f"{v} ({q.scale_min_label})"
                elif v == q.scale_max and q.scale_max_label:
                    label = f"{v} ({q.scale_max_label})"
                choices.append((str(v), label))
            fields[name] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        elif q.kind == Question.Kind.AGREEMENT:
            choices = [(str(v), label) for v, label in AGREEMENT_LABELS.items()]
            if q.allows_not_relevant:
                choices += list(NotRelevant.choices)
            fields[name] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        else:
            fields[name] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common
            )
    return type("SurveyResponseForm", (forms.Form,), fields)


class ExpectedResultReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ResultStatus.choices)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}))


class ConclusionForm(forms.Form):
    lessons_learned = forms.CharField(
        label=_("Lessons learned"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    post_action_review = forms.CharField(
        label=_("Post-action review"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was planned, what happened, why, and what to do differently."),
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class CommunicationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}))


COMMUNICATION_KINDS = CommunicationOutput.Kind
