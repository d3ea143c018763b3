"""The "remind me" form and the offsets of one reminder on "my reminders".

The fields only carry input: what is allowed (offsets on the menu, a valid address, a target
that can be reminded of) is decided by the service, whose messages the form shows."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import ReminderOffset


class OffsetsField(forms.MultipleChoiceField):
    """Checkboxes of the offset menu; a value off the menu reaches the service, which says
    what is allowed (rather than Django's generic "select a valid choice")."""

    def valid_value(self, value: Any) -> bool:
        return True


class ReminderForm(forms.Form):
    offsets = OffsetsField(
        label=_("Remind me"),
        required=False,
        choices=ReminderOffset.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.CharField(
        label=_("Your email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "We send one email with a link to confirm the address; reminders start once you "
            "follow it. Every email has a one-click unsubscribe link."
        ),
    )

    def __init__(self, *args: Any, anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not anonymous:
            del self.fields["email"]
