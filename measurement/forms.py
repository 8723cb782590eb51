"""Forms of the measurement pages. They check input shape; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from copcore.forms import choice_field, model_choice_field
from copcore.models import User
from measurement.models import (
    ImportBatch,
    Measure,
    Observation,
    Site,
    Stratifier,
    chart_problem,
)

DATE = {"type": "date"}


class SiteForm(forms.ModelForm):
    parent = forms.ModelChoiceField(
        label=_("Part of (optional)"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("e.g. a facility inside a region, a region inside a country."),
    )

    class Meta:
        model = Site
        fields = ["name", "code", "kind", "country", "region", "parent", "is_active"]
        help_texts = {"code": _("Unique in the organization; used in upload files.")}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Site.objects.filter(organization=organization)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        model_choice_field(self, "parent").queryset = parents


class StratifierForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("e.g. imd-quintile"))
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    categories = forms.CharField(
        label=_("Categories, in order"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: code, then a colon, then the label (e.g. “q1: Most deprived”)."),
    )

    def clean_categories(self) -> list[tuple[str, str]]:
        result = []
        for number, line in enumerate(self.cleaned_data["categories"].splitlines(), start=1):
            if not line.strip():
                continue
            code, _sep, label = line.partition(":")
            code, label = code.strip(), label.strip() or code.strip()
            if not code or len(code) > 40:
                raise forms.ValidationError(
                    _("Line %(n)s: give a code of at most 40 characters.") % {"n": number}
                )
            result.append((code, label[:120]))
        if not result:
            raise forms.ValidationError(_("Give at least one category."))
        return result


class EnrolmentForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    wave = forms.IntegerField(label=_("Wave"), min_value=1, max_value=99, initial=1)
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(
        label=_("Ends on (optional)"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    mentor_site = forms.ModelChoiceField(
        label=_("Mentor site (optional)"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("A site of an earlier wave that mentors this one."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(organization=organization, is_active=True)
        model_choice_field(self, "site").queryset = sites
        model_choice_field(self, "mentor_site").queryset = sites


class DataPolicyForm(forms.Form):
    requires_approval = forms.BooleanField(
        label=_("Submitted data must be approved before sponsors see it"), required=False
    )
    data_lead = forms.ModelChoiceField(
        label=_("Designated data lead (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("May approve or return data, like the conveners."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "data_lead").queryset = User.objects.filter(
            memberships__organization=organization
        ).order_by("display_name")


class MeasureForm(forms.ModelForm):
    """A measure and its operational definition. The default chart must be one the
    SPC engine draws from the chosen value type's data (``DRAWABLE_CHARTS``)."""

    stratifiers = forms.ModelMultipleChoiceField(
        label=_("Equity stratifiers"),
        queryset=Stratifier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Measure
        fields = [
            "code", "name", "kind", "reaim_dimension", "numerator_definition",
            "denominator_definition", "inclusions", "exclusions", "data_source", "value_type",
            "rate_multiplier", "rate_unit", "opportunity_unit", "frequency", "direction",
            "goal", "chart_type", "stratifiers", "baseline_periods", "is_active",
        ]  # fmt: skip
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "numerator_definition", "denominator_definition", "inclusions",
                "exclusions", "data_source",
            )
        }  # fmt: skip

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "stratifiers").queryset = Stratifier.objects.filter(
            organization=organization
        )
        self.fields["chart_type"].help_text = _(
            "It must suit the value type: p or Laney p′ for proportions, u or Laney u′ for "
            "rates, c for counts; t or g for rare events; a run chart or an I chart for "
            "any other value type."
        )

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("value_type") == Measure.ValueType.RATE and not cleaned.get(
            "rate_multiplier"
        ):
            self.add_error("rate_multiplier", _("A rate needs a multiplier (e.g. 1000)."))
        problem = chart_problem(
            cleaned.get("value_type"),
            cleaned.get("chart_type"),
            counts_opportunities=bool(cleaned.get("opportunity_unit")),
        )
        if problem:
            self.add_error("chart_type", problem)
        return cleaned


class PhaseBreakForm(forms.Form):
    starts_on = forms.DateField(
        label=_("First period of the new phase"), widget=forms.DateInput(attrs=DATE)
    )
    reason = forms.CharField(label=_("What changed"), max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel (.xlsx) file"),
        help_text=_("Use the template's columns. The file is checked before anything is saved."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class CommitForm(forms.Form):
    on_existing = forms.ChoiceField(
        label=_("Rows that already have a value"),
        choices=ImportBatch.OnExisting.choices,
        initial=ImportBatch.OnExisting.SKIP,
        widget=forms.RadioSelect,
    )


class DateReadingForm(forms.Form):
    """The uploader's switch between day-first and month-first dates (check page)."""

    date_order = forms.ChoiceField(
        label=_("Read dates such as 03/04/2024 as"),
        choices=[
            ("dmy", _("day/month/year (3 April 2024)")),
            ("mdy", _("month/day/year (March 4, 2024)")),
        ],
        widget=forms.RadioSelect,
    )


class NumberReadingForm(forms.Form):
    """The uploader's switch between decimal point and decimal comma (check page)."""

    number_convention = forms.ChoiceField(
        label=_("Read figures such as 1.806 and 1,806 as"),
        choices=[
            ("point", _("decimal point: 1,806 is one thousand eight hundred and six")),
            ("comma", _("decimal comma: 1.806 is one thousand eight hundred and six")),
        ],
        widget=forms.RadioSelect,
    )


class ObservationFilterForm(forms.Form):
    measure = forms.ModelChoiceField(
        label=_("Measure"), queryset=Measure.objects.none(), required=False
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    period_after = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    period_before = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + Observation.Status.choices
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "measure").queryset = Measure.objects.filter(community=community)
        model_choice_field(self, "site").queryset = Site.objects.filter(
            enrolments__community=community
        )


class RareEventForm(forms.Form):
    """One rare event: its site and date, an optional category and, where the measure
    counts them, the opportunities since the previous event. Nothing about the person."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    occurred_on = forms.DateField(label=_("Date of the event"), widget=forms.DateInput(attrs=DATE))
    category = forms.CharField(
        label=_("Category (optional)"),
        max_length=80,
        required=False,
        help_text=_("For example hospital-onset. Never anything about the person."),
    )
    opportunities = forms.DecimalField(
        label=_("Opportunities since the previous event"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )

    def __init__(self, *args, sites, opportunity_unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "site").choices = [(s.pk, str(s)) for s in sites]
        if opportunity_unit:
            self.fields["opportunities"].help_text = _(
                "The number of %(unit)s since the previous event at this site (g chart)."
            ) % {"unit": opportunity_unit}
        else:
            del self.fields["opportunities"]
