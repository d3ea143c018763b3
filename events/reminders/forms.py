"""The "remind me" form and the offsets of one reminder on "my reminders".

The fields only carry input: what is allowed (offsets on the menu, a valid address, a target
that can be reminded of) is decided by the service, whose messages the form shows. For a single
event the form also leaves out the times that have already passed (a "1 day before" for a talk
six hours away would never be sent) and refuses them if they are posted anyway."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event, ReminderOffset
from events.reminders.selectors import offsets_ahead


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

    def __init__(
        self,
        *args: Any,
        anonymous: bool,
        event: Event | None = None,
        now: dt.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not anonymous:
            del self.fields["email"]
        self.event = event
        # Times gone for this event are not offered; the service refuses them if posted.
        self.passed: list[int] = []
        if event is not None:
            ahead = offsets_ahead(event.starts_at, now=now)
            self.passed = [int(m) for m in ReminderOffset.values if m not in ahead]
            field = self.fields["offsets"]
            assert isinstance(field, OffsetsField)
            field.choices = [(m, label) for m, label in ReminderOffset.choices if m in ahead]
            initial = [m for m in self.initial.get("offsets", []) if int(m) in ahead]
            self.initial["offsets"] = initial or [str(m) for m in ahead[-1:]]

    @property
    def offered(self) -> bool:
        """At least one time is still to come."""
        return bool(self.fields["offsets"].choices)  # type: ignore[attr-defined]
