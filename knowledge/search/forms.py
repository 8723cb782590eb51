"""The search filters, shared by the page (GET form) and the API (query parameters)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from copcore.forms import model_choice_field
from knowledge.search.query import SearchFilters
from knowledge.search.registry import SOURCES

if TYPE_CHECKING:
    from communities.models import Community
    from copcore.models import User

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class SearchForm(forms.Form):
    """What to look for and where. Communities are those the person may view, people are
    members of the organization; tags are free text (the index stores their names)."""

    q = forms.CharField(label=_("Search words"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"),
        queryset=None,
        required=False,
        empty_label=_("Any community"),
        to_field_name="slug",
    )
    author: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Author"), queryset=None, required=False, empty_label=_("Anyone")
    )
    tag = forms.CharField(label=_("Tag"), max_length=100, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, communities, people, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("Any kind"))] + [
            (name, source.label) for name, source in SOURCES.items()
        ]
        model_choice_field(self, "community").queryset = communities
        model_choice_field(self, "author").queryset = people

    def search_filters(self) -> SearchFilters:
        data = self.cleaned_data
        community = data.get("community")
        author = data.get("author")
        return SearchFilters(
            kind=data.get("kind") or "",
            community_id=community.pk if community else None,
            author_id=author.pk if author else None,
            tag=(data.get("tag") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
