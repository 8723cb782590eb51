"""Forms of the dashboards: chart settings, notes, RE-AIM inputs, costs, disclosure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from copcore.forms import choice_field, model_choice_field
from dashboards.models import (
    CostRecord,
    DisclosureRule,
    ExpectedResultReview,
    MeasureChartPreference,
    ReAimProfile,
)
from measurement.models import Measure, Site, chart_label


def preference_charts(measure: Measure) -> tuple[str, ...]:
    """The charts a person may choose for a measure: those the engine draws from its
    data, and for a continuous measure the subgroup charts across sites (drawn on the
    whole CoP's chart where the sites' values fit them; any other view says so)."""
    charts = measure.drawable_charts
    if measure.value_type == Measure.ValueType.CONTINUOUS:
        charts = charts + ("xbar", "s")
    return charts


class ChartSettingsForm(forms.Form):
    chart_type = forms.ChoiceField(label=_("Chart"))
    method = forms.ChoiceField(label=_("Rules"), choices=MeasureChartPreference.Method.choices)

    def __init__(self, *args, options: tuple[str, ...], **kwargs):
        """``options``: the charts offered for this measure (see ``preference_charts``
        when saving, ``MeasureChart.options`` when showing a view of the measure)."""
        super().__init__(*args, **kwargs)
        choice_field(self, "chart_type").choices = [(c, chart_label(c)) for c in options]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("method") == "mdc" and data.get("chart_type") == "run":
            self.add_error(
                "method", _("Making Data Count needs a control chart: choose another chart.")
            )
        return data


class ChartNoteForm(forms.Form):
    period = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The note appears at the period containing this date."),
    )  # fmt: skip
    text = forms.CharField(
        label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChartNoteDeleteForm(forms.Form):
    """The confirmation step of deleting a chart note; the reason is asked only when
    the note is someone else's (the view makes it required then)."""

    confirmed = forms.CharField(widget=forms.HiddenInput, initial="1")
    reason = forms.CharField(
        label=_("Reason (recorded in the audit log)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say why you are deleting someone else's note: it is recorded.")
        },
    )

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


class DisclosureRuleForm(forms.ModelForm):
    class Meta:
        model = DisclosureRule
        fields = ["mode", "small_max", "rounding_base", "hide_zero", "secondary_suppression"]


class ReAimProfileForm(forms.ModelForm):
    class Meta:
        model = ReAimProfile
        fields = [
            "eligible_population",
            "eligible_description",
            "participants_reached",
            "sites_invited",
            "staff_eligible",
            "staff_participating",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        eligible, taking_part = data.get("staff_eligible"), data.get("staff_participating")
        if eligible is not None and taking_part is not None and taking_part > eligible:
            self.add_error(
                "staff_participating", _("More staff take part than could: check the figures.")
            )
        return data


class CostRecordForm(forms.ModelForm):
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Site (blank: the whole CoP)")
    )

    class Meta:
        model = CostRecord
        fields = ["incurred_on", "amount", "currency", "description", "site"]
        widgets = {"incurred_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = sites


class ReachSharesForm(forms.Form):
    """One field per category of the Reach measures' stratifiers."""

    def __init__(self, *args, categories=(), initial_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_counts = initial_counts or {}
        for cat_id, label in categories:
            self.fields[f"cat_{cat_id}"] = forms.IntegerField(
                label=label, min_value=0, required=False, initial=initial_counts.get(cat_id)
            )

    def shares(self) -> dict[int, int | None]:
        return {int(name[4:]): value for name, value in self.cleaned_data.items()}


class ExpectedResultReviewForm(forms.Form):
    position = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=ExpectedResultReview.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
