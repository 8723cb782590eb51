"""The confirmations that ask first: removing a person, erasing one's own account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RemoveMemberForm(forms.Form):
    """Why the person is removed: kept in the audit log (the person's name is not)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit log, for example: left the health board in March."),
        error_messages={"required": _("Give the reason for removing this person.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for removing this person."))
        return reason


class EraseAccountForm(forms.Form):
    """Erasure cannot be undone: the person types their own email address to confirm."""

    email = forms.CharField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("Type it to confirm that you want your account erased."),
        error_messages={"required": _("Type your email address to confirm.")},
    )

    def __init__(self, *args, expected_email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.expected_email = expected_email

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.expected_email.lower():
            raise forms.ValidationError(
                _("This is not the email address of your account: nothing was erased.")
            )
        return email
