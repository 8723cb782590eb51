"""Forms of the community pages."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from copcore.models import User
from copcore.permissions import CommunityRole


class CommunityCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("State the objective and the expected product."),
    )
    slug = forms.SlugField(
        label=_("Short name for links"),
        max_length=80,
        required=False,
        help_text=_("Letters, numbers and hyphens. Left empty, it is made from the name."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and not cleaned.get("slug"):
            cleaned["slug"] = slugify(cleaned["name"])[:80]
            if not cleaned["slug"]:
                self.add_error("slug", _("Please choose a short name for links."))
        return cleaned


class RoleAssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CommunityRole.choices)
    starts_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return cleaned
