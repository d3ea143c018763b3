"""Forms of the statistics pages. They only carry what the browser sent: the services judge the
figures (whole, not negative, believable) and put their messages on these fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import ActivityType
from events.statistics.labels import ALL_TYPES, CONTACT_GLOSSES, DEFAULT_FIGURE, FIGURES
from events.statistics.services import HEADER_LIMITS, MAX_REASON


class _CellForm(forms.Form):
    field_order = ["cell", "value", "reason"]
    cell = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        help_text=_(
            "Required: why the submitted figure differs from the one computed from the events "
            "(for example: activities held but not entered on the platform)."
        ),
        max_length=MAX_REASON,
        required=False,  # the service says what is missing, naming the cell
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdjustForm(_CellForm):
    # Text, not a number field: "1.5", "-3" or "12万" get the service's message naming the cell.
    value = forms.CharField(
        label=_("Figure to submit"),
        required=False,  # the service names the cell in its message
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class YesNoAdjustForm(_CellForm):
    # Radio buttons, but any text reaches the service, which answers naming the cell.
    value = forms.CharField(
        label=_("Held at provincial level?"),
        required=False,
        widget=forms.RadioSelect(choices=[("1", _("Yes (是)")), ("0", _("No (否)"))]),
    )


class HeaderForm(forms.Form):
    contact_name = forms.CharField(
        label=CONTACT_GLOSSES["contact_name"],
        max_length=HEADER_LIMITS["contact_name"],
        required=False,
    )
    contact_department = forms.CharField(
        label=CONTACT_GLOSSES["contact_department"],
        max_length=HEADER_LIMITS["contact_department"],
        required=False,
    )
    office_phone = forms.CharField(
        label=CONTACT_GLOSSES["office_phone"],
        max_length=HEADER_LIMITS["office_phone"],
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    mobile = forms.CharField(
        label=CONTACT_GLOSSES["mobile"],
        max_length=HEADER_LIMITS["mobile"],
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen the table?"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _type_choices() -> list[Any]:
    return [(ALL_TYPES, _("All five activity types")), *ActivityType.choices]


class FigureForm(forms.Form):
    """What the national view maps and charts (a GET form: the choice is in the link)."""

    figure = forms.ChoiceField(label=_("Figure"), choices=list(FIGURES.items()), required=False)
    type = forms.ChoiceField(
        label=_("Activity type on the map"), choices=_type_choices, required=False
    )

    def chosen(self) -> tuple[str, str]:
        if not self.is_valid():
            return DEFAULT_FIGURE, ALL_TYPES
        return (
            self.cleaned_data.get("figure") or DEFAULT_FIGURE,
            self.cleaned_data.get("type") or ALL_TYPES,
        )
