"""Forms of the session pages. Times are typed as local date and time in a named
time zone and turned into aware datetimes here; services store them in UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from copcore.forms import model_choice_field
from sessions import recurrence
from sessions import recurrence_builder as builder
from sessions.models import ActionStatus, AttendanceResponse, SessionKind

if TYPE_CHECKING:
    from copcore.models import User
    from measurement.models import Site
    from sessions.models import Session

DATE: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
TIME: dict[str, Any] = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def aware(day: dt.date, time: dt.time, time_zone: str) -> dt.datetime:
    """The instant of a local date and time in the named zone."""
    return dt.datetime.combine(day, time).replace(tzinfo=zoneinfo.ZoneInfo(time_zone))


class SeriesForm(forms.Form):
    """A meeting series. How it repeats is chosen with the recurrence builder's fields
    (``recurrence_builder``); a raw RFC 5545 rule typed in ``rrule`` (the advanced
    option) replaces them. ``clean`` leaves the rule to store in ``cleaned_data["rrule"]``."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    first_date = forms.DateField(label=_("Date of the first session"), **DATE)
    start_time = forms.TimeField(label=_("Start time (in the series' time zone)"), **TIME)
    time_zone = forms.ChoiceField(
        label=_("Time zone of the series"),
        choices=time_zone_choices,
        help_text=_("Sessions stay at this local time when clocks change."),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=builder.Repeat.choices,
        initial=builder.Repeat.MONTHLY,
        widget=forms.RadioSelect,
        required=False,
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks or months"),
        min_value=1,
        max_value=12,
        initial=1,
        required=False,
        help_text=_("1 for every week or month, 2 for every other one, 3 for quarterly..."),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Weekly: on these days"),
        choices=builder.Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    monthly_by = forms.ChoiceField(
        label=_("Monthly: which day"),
        choices=builder.MonthlyBy.choices,
        initial=builder.MonthlyBy.WEEKDAY,
        widget=forms.RadioSelect,
        required=False,
    )
    week_of_month = forms.ChoiceField(
        label=_("Week of the month"),
        choices=builder.WeekOfMonth.choices,
        initial=builder.WeekOfMonth.FIRST,
        required=False,
    )
    month_weekday = forms.ChoiceField(
        label=_("Day of the week"),
        choices=builder.Weekday.choices,
        initial=builder.Weekday.TUESDAY,
        required=False,
    )
    month_day = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("Months that have no such day (for example the 31st) are skipped."),
    )
    ends = forms.ChoiceField(
        label=_("Ends"),
        choices=builder.Ends.choices,
        initial=builder.Ends.NEVER,
        widget=forms.RadioSelect,
        required=False,
    )
    count = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=500, required=False
    )
    until = forms.DateField(label=_("Date of the last session"), required=False, **DATE)
    rrule = forms.CharField(
        label=_("Advanced: recurrence rule (RFC 5545 RRULE)"),
        max_length=500,
        required=False,
        help_text=_(
            "Only if the choices above do not fit; a rule here replaces them. Examples: "
            "FREQ=MONTHLY;BYDAY=1TU (first Tuesday monthly), "
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO (quarterly, first Monday)."
        ),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60, initial=60
    )
    video_link = forms.URLField(
        label=_("Video-conference link"), required=False, assume_scheme="https"
    )
    rota: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Facilitator rota"),
        queryset=None,
        required=False,
        help_text=_(
            "People who take turns to facilitate, in the order shown; you can change "
            "the order on the series page."
        ),
    )

    BUILDER_FIELDS = (
        "repeat",
        "interval",
        "weekdays",
        "monthly_by",
        "week_of_month",
        "month_weekday",
        "month_day",
        "ends",
        "count",
        "until",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "rota").queryset = people

    def _built_rule(self, cleaned: dict[str, Any]) -> str | None:
        """The rule from the builder's choices, or None after putting the error on the
        field it concerns."""
        choices = builder.Choices(
            repeat=cleaned.get("repeat") or builder.Repeat.MONTHLY,
            interval=cleaned.get("interval") or 1,
            weekdays=tuple(cleaned.get("weekdays") or ()),
            monthly_by=cleaned.get("monthly_by") or builder.MonthlyBy.WEEKDAY,
            week_of_month=cleaned.get("week_of_month") or builder.WeekOfMonth.FIRST,
            month_weekday=cleaned.get("month_weekday") or builder.Weekday.TUESDAY,
            month_day=cleaned.get("month_day"),
            ends=cleaned.get("ends") or builder.Ends.NEVER,
            count=cleaned.get("count"),
            until=cleaned.get("until"),
        )
        try:
            return builder.rule_text(choices, first_date=cleaned["first_date"])
        except builder.BuilderError as error:
            self.add_error(error.field, error.message)
            return None

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not all(cleaned.get(k) for k in ("time_zone", "first_date", "start_time")):
            return cleaned
        if any(self.has_error(name) for name in self.BUILDER_FIELDS):
            return cleaned
        rule = cleaned.get("rrule") or self._built_rule(cleaned)
        if not rule:
            return cleaned
        try:
            recurrence.build_rule(
                rule_text=rule,
                time_zone=cleaned["time_zone"],
                first_date=cleaned["first_date"],
                start_time=cleaned["start_time"],
            )
        except ValidationError as error:
            self.add_error("rrule", error.message_dict.get("rrule", error.messages))
        else:
            cleaned["rrule"] = recurrence.normalise(rule)
        return cleaned

    def series_data(self) -> dict[str, Any]:
        """What ``services.series_create`` takes (the builder's fields are not stored:
        the rule they made is)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.BUILDER_FIELDS}
        data["rota"] = list(data["rota"])
        return data


class RotaForm(forms.Form):
    """A position per person: 1, 2, 3... sets the order; empty leaves them out."""

    def __init__(self, *args, people, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person in self.people:
            self.fields[f"person_{person.pk}"] = forms.IntegerField(
                label=person.display_name or person.email,
                required=False,
                min_value=1,
                initial=current.get(person.pk),
                widget=forms.NumberInput(attrs={"size": 3}),
            )

    def ordered_people(self):
        chosen = [
            (self.cleaned_data[f"person_{p.pk}"], p.display_name, p)
            for p in self.people
            if self.cleaned_data.get(f"person_{p.pk}")
        ]
        return [p for _pos, _name, p in sorted(chosen, key=lambda t: (t[0], t[1]))]


class SessionTimesForm(forms.Form):
    day = forms.DateField(label=_("Date"), **DATE)
    start_time = forms.TimeField(label=_("Start time"), **TIME)
    end_time = forms.TimeField(label=_("End time"), **TIME)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        return (
            aware(data["day"], data["start_time"], data["time_zone"]),
            aware(data["day"], data["end_time"], data["time_zone"]),
        )


class SessionCreateForm(SessionTimesForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    video_link = forms.URLField(
        label=_("Video-conference link"), required=False, assume_scheme="https"
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    facilitator: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Facilitator"), queryset=None, required=False
    )

    field_order = ["title", "kind", "day", "start_time", "end_time", "time_zone"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "facilitator").queryset = people


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to members)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the session is cancelled: members will read it.")},
    )


class RecordForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    video_link = forms.URLField(
        label=_("Video-conference link"), required=False, assume_scheme="https"
    )
    recording_link = forms.URLField(
        label=_("Recording link"), required=False, assume_scheme="https"
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    action_plan = forms.CharField(
        label=_("Action plan proposed to members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The introductory meeting presents objectives and results and proposes it."),
    )

    def __init__(self, *args, introductory: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not introductory:
            del self.fields["action_plan"]


class CaseForm(forms.Form):
    presenter: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Presenting member"), queryset=None
    )
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    case_summary = forms.CharField(
        label=_("De-identified case summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "No names, dates of birth, record or NHS numbers, addresses, postcodes, "
            "phone numbers or email addresses. Use ages and relative times."
        ),
    )
    questions = forms.CharField(
        label=_("Questions for the group"), widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendations = forms.CharField(
        label=_("Recommendations (recorded afterwards)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    confirm_deidentified = forms.BooleanField(
        label=_("I have checked: this text does not identify anyone. Save anyway."),
        required=False,
    )

    def __init__(self, *args, people, sites, presenter_fixed=None, show_confirmation=False, **kw):
        super().__init__(*args, **kw)
        model_choice_field(self, "presenter").queryset = people
        model_choice_field(self, "site").queryset = sites
        if presenter_fixed is not None:
            model_choice_field(self, "presenter").queryset = people.filter(pk=presenter_fixed.pk)
            self.fields["presenter"].initial = presenter_fixed.pk
        if not show_confirmation:
            del self.fields["confirm_deidentified"]


class AttendanceReplyForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Your reply"),
        choices=[
            (AttendanceResponse.REGISTERED, _("I will attend")),
            (AttendanceResponse.APOLOGIES, _("Send my apologies")),
        ],
        widget=forms.RadioSelect,
    )


class AttendanceMarkForm(forms.Form):
    attended: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Who attended"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone listed but not ticked is recorded as not attending."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "attended").queryset = people


class PollForm(forms.Form):
    prefix = "poll"  # several forms share the session page: unique ids

    question = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(
        label=_("Options, one per line"), widget=forms.Textarea(attrs={"rows": 4})
    )
    multiple_choice = forms.BooleanField(
        label=_("People may choose several options"), required=False
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_("Nobody, not even the facilitator, can see who chose what."),
    )

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class VoteForm(forms.Form):
    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(o.pk, o.text) for o in poll.options.all()]
        if poll.multiple_choice:
            self.fields["options"] = forms.TypedMultipleChoiceField(
                label=poll.question,
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            self.fields["options"] = forms.TypedChoiceField(
                label=poll.question, choices=choices, coerce=int, widget=forms.RadioSelect
            )
        self.fields["options"].error_messages["required"] = _("Choose an option.")

    def option_ids(self) -> list[int]:
        value = self.cleaned_data["options"]
        return list(value) if isinstance(value, list) else [value]


class BreakoutRandomForm(forms.Form):
    group_count = forms.IntegerField(label=_("Number of groups"), min_value=1, max_value=50)


class BreakoutManualForm(forms.Form):
    """A group number per person (empty: not in a group)."""

    def __init__(self, *args, people, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person in self.people:
            self.fields[f"person_{person.pk}"] = forms.IntegerField(
                label=person.display_name or person.email,
                required=False,
                min_value=1,
                max_value=50,
                initial=current.get(person.pk),
            )

    def groups(self):
        by_number: dict[int, list] = {}
        for person in self.people:
            number = self.cleaned_data.get(f"person_{person.pk}")
            if number:
                by_number.setdefault(number, []).append(person)
        return [by_number[n] for n in sorted(by_number)]


class BreakoutNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecisionForm(forms.Form):
    prefix = "decision"  # several forms share the session page: unique ids

    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Owner"), queryset=None)

    def __init__(self, *args, people, cues=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people
        add_cue_field(self, cues)


class CueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.timestamp} {obj.speaker}: {obj.text[:60]}".strip()


def add_cue_field(form: forms.Form, cues) -> None:
    """The optional moment of the session's transcript a decision or item cites."""
    if cues is None:
        return
    form.fields["cue"] = CueChoiceField(
        label=_("Moment in the transcript (optional)"),
        queryset=cues,
        required=False,
        empty_label=_("None"),
    )


class ActionItemForm(forms.Form):
    prefix = "action"  # several forms share the session page: unique ids

    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label=_("Who"), queryset=None)
    description = forms.CharField(
        label=_("Will test or do what"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = forms.DateField(label=_("By when"), **DATE)
    # Shown only once a past date was typed: the date may be a slip (last year's), or
    # deliberate (recording something already overdue); the person says which.
    confirm_past_due = forms.BooleanField(
        label=_("Keep this date although it is in the past"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, people, tests=None, cues=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people
        add_cue_field(self, cues)
        if tests is not None:
            self.fields["test_of_change"] = forms.ModelChoiceField(
                label=_("Linked PDSA test (optional)"), queryset=tests, required=False
            )

    def clean(self):
        cleaned = super().clean() or {}
        due_on = cleaned.get("due_on")
        if due_on and due_on < timezone.localdate() and not cleaned.get("confirm_past_due"):
            self.fields["confirm_past_due"].widget = forms.CheckboxInput()
            self.add_error(
                "due_on",
                _(
                    "This date is in the past. Check it, or tick “Keep this date although "
                    "it is in the past”."
                ),
            )
        return cleaned


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class SwapRequestForm(forms.Form):
    prefix = "swap"  # several forms share the session page: unique ids

    proposed: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Ask this person to take over"), queryset=None
    )
    swap_session: forms.ModelChoiceField[Session] = forms.ModelChoiceField(
        label=_("In exchange for their session (optional)"), queryset=None, required=False
    )
    message = forms.CharField(label=_("Message"), max_length=300, required=False)

    def __init__(self, *args, people, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "proposed").queryset = people
        model_choice_field(self, "swap_session").queryset = sessions


class FacilitatorForm(forms.Form):
    prefix = "facilitator"  # several forms share the session page: unique ids

    facilitator: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Facilitator"), queryset=None, required=False
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "facilitator").queryset = people


class SessionSearchForm(forms.Form):
    q = forms.CharField(label=_("Search title, agenda, summary and decisions"), required=False)
    when = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All"))],
    )


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open or in progress")), *ActionStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class TranscriptForm(forms.Form):
    file = forms.FileField(
        label=_("Transcript file (WebVTT .vtt or SubRip .srt)"),
        help_text=_("The file Zoom, Teams or Meet exports. Replaces the current transcript."),
    )
    confirm_deidentified = forms.BooleanField(
        label=_("I have checked that the transcript identifies no patient"),
        required=False,
    )


class TranscriptSearchForm(forms.Form):
    tq = forms.CharField(label=_("Search the transcript"), required=False, max_length=200)
