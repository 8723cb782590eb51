"""The preference form (a person's own choices about email)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from copcore.forms import choice_field
from notifications.models import REMINDER_KINDS, FollowedReplies, Frequency, Kind, Weekday


class PreferenceForm(forms.Form):
    digest_enabled = forms.BooleanField(label=_("Send me a digest"), required=False)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    weekday = forms.TypedChoiceField(
        label=_("Day (weekly digest)"), choices=Weekday.choices, coerce=int
    )
    hour = forms.TypedChoiceField(
        label=_("Hour, in your time zone"),
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        coerce=int,
    )
    include_content = forms.BooleanField(
        label=_("Include message content"),
        required=False,
        help_text=_("Untick to receive titles only, without excerpts or summaries."),
    )
    followed_replies = forms.ChoiceField(
        label=_("Replies in discussions I follow"),
        choices=FollowedReplies.choices,
        widget=forms.RadioSelect,
        required=False,  # a form without it (an older page) keeps the current choice
        help_text=_("Muted discussions never send anything."),
    )
    reminders = forms.MultipleChoiceField(
        label=_("Reminders I want"),
        choices=[(k, Kind(k).label) for k in REMINDER_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opted_out = forms.TypedMultipleChoiceField(
        label=_("Leave these communities out of my digest"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "opted_out").choices = [(c.pk, c.name) for c in communities]


class BounceForm(forms.Form):
    from notifications.models import Bounce as _Bounce

    email = forms.EmailField(label=_("Email address that bounced"))
    bounce_type = forms.ChoiceField(label=_("Type"), choices=_Bounce.Type.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    message_id = forms.CharField(label=_("Message-ID (optional)"), max_length=255, required=False)
