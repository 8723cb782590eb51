"""Forms of the DHIS2 pages. They check input shape; the services check the rules.
The secret field never shows what is stored (``render_value=False``): leave it empty
to keep it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from copcore.forms import model_choice_field
from measurement.models import (
    Dhis2Connection,
    Dhis2Mapping,
    Measure,
    Site,
    StratifierCategory,
)

IDENTIFIER = {"maxlength": 50, "autocomplete": "off", "spellcheck": "false"}


class ConnectionForm(forms.Form):
    base_url = forms.URLField(
        label=_("Server address"),
        max_length=300,
        help_text=_("e.g. https://dhis2.example.org (without /api)."),
        assume_scheme="https",
    )
    auth = forms.ChoiceField(
        label=_("Sign in with"),
        choices=Dhis2Connection.Auth.choices,
        widget=forms.RadioSelect,
    )
    username = forms.CharField(
        label=_("DHIS2 user name"),
        max_length=150,
        required=False,
        help_text=_("Only for a user name and password."),
    )
    secret = forms.CharField(
        label=_("Token or password"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored one."),
    )
    push_enabled = forms.BooleanField(
        label=_("Allow sending approved data to the server"), required=False
    )


class MappingForm(forms.ModelForm):
    class Meta:
        model = Dhis2Mapping
        fields = ["schedule", "approval_level", "data_set", "lookback_periods"]
        widgets = {
            "approval_level": forms.TextInput(attrs=IDENTIFIER),
            "data_set": forms.TextInput(attrs=IDENTIFIER),
        }


class SiteMapForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    org_unit = forms.CharField(
        label=_("Organisation unit (identifier or code)"),
        max_length=50,
        widget=forms.TextInput(attrs=IDENTIFIER),
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = Site.objects.filter(
            enrolments__community=community
        ).distinct()


class MeasureMapForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("Measure"), queryset=Measure.objects.none())
    indicator = forms.CharField(
        label=_("Indicator (with its numerator and denominator)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs=IDENTIFIER),
    )
    numerator_item = forms.CharField(
        label=_("Numerator from (data element)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs=IDENTIFIER),
    )
    denominator_item = forms.CharField(
        label=_("Denominator from (data element)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs=IDENTIFIER),
    )
    value_item = forms.CharField(
        label=_("Value from (data element)"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs=IDENTIFIER),
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "measure").queryset = Measure.objects.filter(
            community=community, is_active=True
        )


class CategoryMapForm(forms.Form):
    option_combo = forms.CharField(
        label=_("Category option combo (identifier)"),
        max_length=50,
        widget=forms.TextInput(attrs=IDENTIFIER),
    )
    category = forms.ModelChoiceField(
        label=_("Stratifier category"), queryset=StratifierCategory.objects.none()
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "category").queryset = (
            StratifierCategory.objects.filter(stratifier__measures__community=community)
            .distinct()
            .select_related("stratifier")
        )


class SearchForm(forms.Form):
    COLLECTIONS = (
        ("organisationUnits", _("Organisation units")),
        ("dataElements", _("Data elements")),
        ("indicators", _("Indicators")),
        ("categoryOptionCombos", _("Category option combos")),
    )
    collection = forms.ChoiceField(label=_("Look in"), choices=COLLECTIONS)
    q = forms.CharField(label=_("Name, code or identifier"), max_length=100, required=False)
    page = forms.IntegerField(
        min_value=1, max_value=10_000, required=False, widget=forms.HiddenInput
    )
