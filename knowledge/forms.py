"""Forms of the knowledge pages. Choices (communities, people, tags, sites, measures)
are narrowed to the organization, and to what the person may use, by the view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from copcore.forms import choice_field, model_choice_field
from knowledge.models import (
    PDSA_STAGE_FIELDS,
    TEMPLATE_FIELDS,
    ActDecision,
    Asset,
    AssetStatus,
    PdsaStage,
    PredictionHeld,
    TestOfChange,
    TestStatus,
    TestTemplate,
    Visibility,
)
from knowledge.uploads import validate_upload

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from communities.models import Community, Tag
    from copcore.models import User
    from measurement.models import Measure, Site

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several attachments in one input; each is checked by the upload rules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        for upload in cleaned:
            validate_upload(upload)
        return cleaned


class UploadField(forms.FileField):
    """One file, checked by content against the upload rules before anything is stored."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            validate_upload(upload)
        return upload


def _tag_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tags come from the organization's vocabulary and the CoP's norms."),
    )


class ContentFields(forms.Form):
    """The content of a version: Markdown, a file, or a link (videos)."""

    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Headings with #, lists with -, links with [text](https://…)."),
    )
    upload = UploadField(
        label=_("File"),
        required=False,
        help_text=_(
            "PDF, Office documents, images, MP4, CSV or plain text. The type is checked "
            "from the content."
        ),
    )
    link = forms.URLField(
        label=_("Link (for videos)"), required=False, max_length=500, assume_scheme="https"
    )
    change_note = forms.CharField(label=_("What changed"), required=False, max_length=300)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("upload") and cleaned.get("link"):
            self.add_error("link", _("A version holds a file or a link, not both."))
        return cleaned


class AssetCreateForm(ContentFields):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)
    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"),
        queryset=None,
        required=False,
        empty_label=_("Organization-wide"),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it once published"),
        choices=Visibility.choices,
        initial=Visibility.COMMUNITY,
        widget=forms.RadioSelect,
    )
    co_owners: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Co-owners"), queryset=None, required=False
    )
    tags = _tag_field()

    field_order = [
        "title",
        "kind",
        "community",
        "summary",
        "visibility",
        "co_owners",
        "tags",
        "body",
        "upload",
        "link",
        "change_note",
    ]

    def __init__(self, *args, communities, people, tags, allow_org_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "community").queryset = communities
        self.fields["community"].required = not allow_org_wide
        model_choice_field(self, "co_owners").queryset = people
        model_choice_field(self, "tags").queryset = tags

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("visibility") == Visibility.COMMUNITY and not cleaned.get("community"):
            self.add_error(
                "visibility", _("Choose a community, or let the whole organization read it.")
            )
        return cleaned


class AssetEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who can read it once published"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    co_owners: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Co-owners"), queryset=None, required=False
    )
    tags = _tag_field()

    def __init__(self, *args, people, tags, org_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people
        model_choice_field(self, "co_owners").queryset = people
        model_choice_field(self, "tags").queryset = tags
        if org_wide:
            choice_field(self, "visibility").choices = [
                choice for choice in Visibility.choices if choice[0] != Visibility.COMMUNITY
            ]


class VersionForm(ContentFields):
    keep_current_file = forms.BooleanField(
        label=_("Keep the current file when no new file is chosen"),
        required=False,
        initial=True,
    )


class CurationForm(forms.Form):
    """A curator's decision. A reason is required to request changes or decline."""

    ACTIONS = [
        ("request_changes", _("Request changes")),
        ("decline", _("Decline")),
        ("publish", _("Publish")),
        ("promote", _("Promote to an asset draft")),
    ]
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or changes to make (the author reads this)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of asset (when promoting)"),
        choices=Asset.Kind.choices,
        initial=Asset.Kind.LESSON_LEARNED,
        required=False,
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "action").choices = [c for c in self.ACTIONS if c[0] in actions]
        if "promote" not in actions:
            del self.fields["kind"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("action") in ("request_changes", "decline")
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Please give a reason: the author will read it."))
        return cleaned


class PackageItemForm(forms.Form):
    change_idea = forms.CharField(label=_("Change idea"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    linked_asset: forms.ModelChoiceField[Asset] = forms.ModelChoiceField(
        label=_("Linked asset (optional)"), queryset=None, required=False
    )

    def __init__(self, *args, assets, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "linked_asset").queryset = assets


class AssetFilterForm(forms.Form):
    """Filters of the asset list and the search page (GET)."""

    q = forms.CharField(label=_("Search words"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind"))] + Asset.Kind.choices
    )
    tag: forms.ModelChoiceField[Tag] = forms.ModelChoiceField(
        label=_("Tag"), queryset=None, required=False, empty_label=_("Any tag")
    )
    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("Any community")
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Anyone")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + AssetStatus.choices,
    )
    date_from = forms.DateField(label=_("Changed from"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Changed until"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, tags, communities, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "tag").queryset = tags
        model_choice_field(self, "community").queryset = communities
        model_choice_field(self, "owner").queryset = people

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data.pop("q", None)
        return {key: value for key, value in data.items() if value not in (None, "")}


class FieldNoteForm(forms.Form):
    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"), queryset=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 8}))
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site (optional)"), queryset=None, required=False
    )
    tags = _tag_field()
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("PDF, Office documents, images, MP4, CSV or plain text."),
    )

    def __init__(self, *args, communities, sites, tags, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "community").queryset = communities
        model_choice_field(self, "site").queryset = sites
        model_choice_field(self, "tags").queryset = tags
        if editing:
            del self.fields["community"]


class _StageForm(forms.ModelForm):
    """One stage of a PDSA cycle. ``fieldsets`` groups the fields under the headings
    the page shows; the service checks the stage's rules and saves it."""

    __test__ = False

    fieldsets: tuple[tuple[StrOrPromise, tuple[str, ...]], ...] = ()
    # Fields that take the whole width when a fieldset is laid out in two columns.
    wide_fields: frozenset[str] = frozenset()
    # A group of optional fields folded away (a <details>) unless filled in or wrong.
    folded_fieldset: StrOrPromise | None = None

    def grouped_fields(self) -> list[dict]:
        groups = []
        for legend, names in self.fieldsets:
            fields = [self[name] for name in names if name in self.fields]
            folded = legend == self.folded_fieldset and not any(
                field.errors or field.value() for field in fields
            )
            groups.append({"legend": legend, "fields": fields, "folded": folded})
        return groups

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("community", None)
        return data

    def validate_unique(self):  # the service validates; the instance is not saved here
        return


class TestPlanForm(_StageForm):
    """Plan: the change, what it should achieve, the prediction and who does what,
    when and where. Only the title and the change idea are needed to start."""

    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"), queryset=None
    )
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False
    )
    measures: forms.ModelMultipleChoiceField[Measure] = forms.ModelMultipleChoiceField(
        label=_("Measures"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The measures this test should move; it is marked on their charts."),
    )
    tags = _tag_field()

    fieldsets = (
        (_("The change"), ("community", "title", "change_idea")),
        (_("Aim, question and prediction"), ("objective", "question", "prediction")),
        (
            _("Plan: who, what, when, where"),
            ("plan_who", "plan_what", "plan_when", "plan_where", "plan_data", "starts_on"),
        ),
        (_("Site, measures and tags (optional)"), ("site", "measures", "tags")),
    )
    wide_fields = frozenset({"change_idea", "prediction", "measures", "tags"})
    folded_fieldset = fieldsets[-1][0]

    class Meta:
        model = TestOfChange
        fields = ["community", *PDSA_STAGE_FIELDS[PdsaStage.PLAN]]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in TEMPLATE_FIELDS} | {
            "starts_on": DATE_WIDGET
        }
        labels = {"starts_on": _("Planned start date")}

    def __init__(self, *args, communities, sites, tags, measures, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "community").queryset = communities
        model_choice_field(self, "site").queryset = sites
        model_choice_field(self, "tags").queryset = tags
        model_choice_field(self, "measures").queryset = measures
        if editing:
            del self.fields["community"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        community = cleaned.get("community")
        measures = cleaned.get("measures") or []
        if community is not None and any(m.community_id != community.pk for m in measures):
            self.add_error("measures", _("Choose measures of this community."))
        return cleaned


class TestDoForm(_StageForm):
    """Do: what happened when the change was tried, and what was noticed."""

    fieldsets = ((_("Do"), ("do_what_happened", "do_observations", "ends_on")),)

    class Meta:
        model = TestOfChange
        fields = list(PDSA_STAGE_FIELDS[PdsaStage.DO])
        widgets = {
            "do_what_happened": forms.Textarea(attrs={"rows": 4}),
            "do_observations": forms.Textarea(attrs={"rows": 4}),
            "ends_on": DATE_WIDGET,
        }
        labels = {"ends_on": _("Date the test ended")}


class TestStudyForm(_StageForm):
    """Study: the results against the prediction, which the page shows beside them."""

    fieldsets = ((_("Study"), ("study_results", "prediction_held")),)

    class Meta:
        model = TestOfChange
        fields = list(PDSA_STAGE_FIELDS[PdsaStage.STUDY])
        widgets = {
            "study_results": forms.Textarea(attrs={"rows": 5}),
            "prediction_held": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "prediction_held").choices = [("", _("Not known yet"))] + list(
            PredictionHeld.choices
        )


class TestActForm(_StageForm):
    """Act: adopt, adapt or abandon the change, and what the next cycle tries."""

    fieldsets = ((_("Act"), ("act_decision", "act_notes")),)

    class Meta:
        model = TestOfChange
        fields = list(PDSA_STAGE_FIELDS[PdsaStage.ACT])
        widgets = {
            "act_decision": forms.RadioSelect,
            "act_notes": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"act_decision": _("Decision"), "act_notes": _("What next (the next cycle)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        decision = choice_field(self, "act_decision")
        decision.choices = list(ActDecision.choices)
        decision.required = True
        decision.error_messages["required"] = _("Choose adopt, adapt or abandon.")


STAGE_FORMS: dict[str, type[_StageForm]] = {
    PdsaStage.PLAN: TestPlanForm,
    PdsaStage.DO: TestDoForm,
    PdsaStage.STUDY: TestStudyForm,
    PdsaStage.ACT: TestActForm,
}


class TestFilterForm(forms.Form):
    __test__ = False

    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False, empty_label=_("Any community")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + TestStatus.choices
    )
    act_decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("Any decision"))] + ActDecision.choices,
    )
    prediction_held = forms.ChoiceField(
        label=_("Prediction held"),
        required=False,
        choices=[("", _("Any"))] + PredictionHeld.choices,
    )
    tag: forms.ModelChoiceField[Tag] = forms.ModelChoiceField(
        label=_("Tag"), queryset=None, required=False, empty_label=_("Any tag")
    )

    def __init__(self, *args, communities, tags, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "community").queryset = communities
        model_choice_field(self, "tag").queryset = tags

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class TestTemplateForm(forms.ModelForm):
    __test__ = False

    community: forms.ModelChoiceField[Community] = forms.ModelChoiceField(
        label=_("Community"), queryset=None, required=False
    )

    class Meta:
        model = TestTemplate
        fields = ["name", "community", *TEMPLATE_FIELDS]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in TEMPLATE_FIELDS}

    def __init__(self, *args, communities, allow_org_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "community").queryset = communities
        self.fields["community"].required = not allow_org_wide
        model_choice_field(self, "community").empty_label = _("Organization-wide")
