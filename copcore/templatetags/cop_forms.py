"""Form helpers for the layout: the "Error:" prefix of the page title after a failed
submit (the GOV.UK error-summary pattern), whatever the view named its form."""

from __future__ import annotations

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


def _failed_forms(context: template.Context) -> list[forms.BaseForm]:
    values: list[object] = list(context.flatten().values())
    return [
        value
        for value in values
        if isinstance(value, forms.BaseForm) and value.is_bound and value.errors
    ]


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """ "Error: " when a submitted form on the page failed, so screen-reader users hear
    it first when the page loads; "" otherwise."""
    return _("Error:") + " " if _failed_forms(context) else ""
