"""Forms of the community pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from communities.models import (
    CHARTER_SECTIONS,
    CallType,
    Escalation,
    Objective,
    Phase,
    PhaseTransition,
    Rhythm,
    Tag,
)
from copcore.forms import choice_field, model_choice_field
from copcore.models import User
from copcore.permissions import CommunityRole
from measurement.models import Site


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
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("name") and not cleaned.get("slug"):
            cleaned["slug"] = slugify(cleaned["name"])[:80]
            if not cleaned["slug"]:
                self.add_error("slug", _("Please choose a short name for links."))
        return cleaned


class RoleAssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    # No role is preselected: the first choice would otherwise make anyone convener.
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Choose a role")), *CommunityRole.choices]
    )
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
        model_choice_field(self, "user").queryset = people

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return cleaned


# --- Design wizard -------------------------------------------------------------------

NAME_GUIDANCE = _(
    "A good name says what the community will achieve and what it will produce, so "
    "people know at a glance why they would join. Good: “CoP to define indicators for "
    "the assessment of telemedicine projects”. Too vague: “CoP to coordinate the work "
    "program”."
)


class DesignNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=NAME_GUIDANCE)


class DesignCreateForm(CommunityCreateForm):
    """Step 1 when the community does not exist yet: the name and its link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = NAME_GUIDANCE


class DesignDomainForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic or domain"),
        max_length=200,
        required=False,
        help_text=_("The shared concern, for example sepsis, maternity or postpartum follow-up."),
    )


class DesignProblemForm(forms.Form):
    problem = forms.CharField(
        label=_("Problem statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A short description of the problem the community addresses, or the "
            "baseline it will build."
        ),
    )


class DesignObjectivesForm(forms.Form):
    objectives = forms.MultipleChoiceField(
        label=_("Objectives"),
        choices=Objective.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more."),
        error_messages={"required": _("Choose at least one objective.")},
    )


class DesignResultsForm(forms.Form):
    """One to three expected results, each with how it will be checked at evaluation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in (1, 2, 3):
            self.fields[f"description_{n}"] = forms.CharField(
                label=_("Expected result %(n)s") % {"n": n},
                required=n == 1,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Describe at least one expected result.")},
            )
            self.fields[f"how_checked_{n}"] = forms.CharField(
                label=_("How result %(n)s will be checked") % {"n": n},
                required=False,
                help_text=_("You may fill this in later."),
            )

    @classmethod
    def initial_from(cls, results) -> dict:
        initial = {}
        for n, result in enumerate(results, start=1):
            initial[f"description_{n}"] = result.description
            initial[f"how_checked_{n}"] = result.how_checked
        return initial

    def results(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"description_{n}"], self.cleaned_data[f"how_checked_{n}"])
            for n in (1, 2, 3)
            if self.cleaned_data.get(f"description_{n}", "").strip()
        ]


class DesignAudiencesForm(forms.Form):
    target_audiences = forms.CharField(
        label=_("Target audiences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who the community serves and who benefits from its work."),
    )


class DesignCallForm(forms.Form):
    call_type = forms.ChoiceField(
        label=_("Call for members"),
        choices=CallType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a public or a restricted call.")},
    )


class DesignDatesForm(forms.Form):
    starts_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end_on = forms.DateField(
        label=_("Planned end (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Many communities are time-limited and end when the work is done."),
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("starts_on"), cleaned.get("planned_end_on")
        if start and end and end < start:
            self.add_error("planned_end_on", _("The planned end must be after the start."))
        return cleaned


class DesignRhythmForm(forms.Form):
    rhythm = forms.MultipleChoiceField(
        label=_("Planned rhythm"),
        choices=Rhythm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rhythm_notes = forms.CharField(
        label=_("Notes on the rhythm"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: all-hands on the first Tuesday of the month."),
    )


STEP_FORMS = {
    "name": DesignNameForm,
    "domain": DesignDomainForm,
    "problem": DesignProblemForm,
    "objectives": DesignObjectivesForm,
    "results": DesignResultsForm,
    "audiences": DesignAudiencesForm,
    "call": DesignCallForm,
    "dates": DesignDatesForm,
    "rhythm": DesignRhythmForm,
}


# --- Phases, roles, tags -------------------------------------------------------------


class PhaseChangeForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("Move to"), choices=Phase.choices)
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", "—")]
        + [c for c in PhaseTransition.Reason.choices if c[0] != PhaseTransition.Reason.REOPENED],
        help_text=_("Needed when the community concludes."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when a community is reopened: say why."),
    )

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Phase.choices)
        choice_field(self, "to_phase").choices = [(p, labels[p]) for p in allowed]


class RoleEndForm(forms.Form):
    """End a term on a day (empty: today); the confirmation step asks for the reason."""

    ends_on = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day the role is no longer held. Empty: today."),
    )

    def __init__(self, *args, starts_on: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_on = starts_on

    def clean_ends_on(self) -> dt.date:
        ends_on = self.cleaned_data.get("ends_on") or timezone.localdate()
        if ends_on < self.starts_on:
            raise forms.ValidationError(_("The end date must not be before the start date."))
        return ends_on


class RoleChangeForm(forms.Form):
    """Move a person to another role. Nothing is preselected: one careless click must
    not make anyone convener."""

    role = forms.ChoiceField(label=_("New role"))
    on = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the new role starts and the old one ends. Empty: today."),
    )

    def __init__(self, *args, current_role: str, starts_on: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_on = starts_on
        choice_field(self, "role").choices = [("", _("Choose a role"))] + [
            (value, label) for value, label in CommunityRole.choices if value != current_role
        ]

    def clean_on(self) -> dt.date:
        on = self.cleaned_data.get("on") or timezone.localdate()
        if on < self.starts_on:
            raise forms.ValidationError(_("The change cannot happen before the term started."))
        return on


class RoleTermForm(forms.Form):
    """A term's dates; a started term keeps its start date."""

    starts_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day the role is no longer held. Empty: no end date."),
    )

    def __init__(self, *args, started: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if started:
            self.fields["starts_on"].disabled = True
            self.fields["starts_on"].help_text = _(
                "This term has started: its start date can no longer change."
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date must not be before the start date."))
        return cleaned


class RoleReasonForm(forms.Form):
    """The confirmation step of a destructive role change: the reason, kept in the
    audit log."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log with the change."),
        error_messages={"required": _("Give the reason for this change.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for this change."))
        return reason


class TagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Allowed tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every tag of the organization may be used."),
    )
    new_tags = forms.CharField(
        label=_("Add new tags"),
        required=False,
        max_length=500,
        help_text=_("Separate them with commas. They are added to the organization's list."),
    )

    def __init__(self, *args, vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "tags").queryset = vocabulary


# --- Joining and the directory -------------------------------------------------------


class JoinRequestForm(forms.Form):
    job_title = forms.CharField(label=_("Your role at work"), max_length=200)
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False
    )
    expertise = forms.CharField(
        label=_("Expertise"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you know well and could help others with."),
    )
    motivation = forms.CharField(
        label=_("Why you want to join"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = sites


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you decline; the person will see it."),
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for declining."))
        return cleaned


class InvitationForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    message = forms.CharField(
        label=_("Message (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = people


class ProfileForm(forms.Form):
    job_title = forms.CharField(label=_("Role at work"), max_length=200, required=False)
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False
    )
    expertise = forms.CharField(
        label=_("Expertise"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, sites, with_planning_group: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "site").queryset = sites
        if with_planning_group:
            self.fields["planning_group"] = forms.BooleanField(
                label=_("In the planning group (shares the convening work)"), required=False
            )


# --- Charter -------------------------------------------------------------------------


class CharterDraftForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in CHARTER_SECTIONS:
            self.fields[key] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 4})
            )


class CharterPublishForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed (optional)"), max_length=300, required=False
    )


# --- Discussions ---------------------------------------------------------------------

MARKDOWN_HELP = _(
    "Markdown is supported: **bold**, *italic*, lists, links. Mention someone with "
    "@[Their Name] or @their.email@example.org."
)


ATTACHMENT_HELP = _(
    "Optional. PDF, Office documents, images, MP4 videos, CSV or plain text; checked when you post."
)


class WorkstreamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("First message"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP
    )
    attachment = forms.FileField(
        label=_("Attach a file"), required=False, help_text=ATTACHMENT_HELP
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, allowed_tags, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "tags").queryset = allowed_tags


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}), help_text=MARKDOWN_HELP
    )
    attachment = forms.FileField(
        label=_("Attach a file"), required=False, help_text=ATTACHMENT_HELP
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP
    )


class ThreadCloseForm(forms.Form):
    summary = forms.CharField(
        label=_("Closing summary"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Summarise what was discussed and concluded, and link to follow-up material."),
        error_messages={"required": _("Write a closing summary before closing.")},
    )


class ThreadTagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, allowed_tags, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "tags").queryset = allowed_tags


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does this post need a moderator?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FlagResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: hide the post")), ("dismiss", _("Dismiss the flag"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class EscalationForm(forms.Form):
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    escalated_to = forms.ChoiceField(label=_("Escalated to"), choices=Escalation.Target.choices)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people


class EscalationUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Escalation.Status.choices)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people
