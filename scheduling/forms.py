"""Forms of the scheduling pages. They only parse what the browser sent (week numbers, dates,
text); the services judge it and their messages are put back on the fields they name."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from scheduling.allocator import MAX_RANKS
from scheduling.models import DayKindChoice, Region, Week
from scheduling.selectors import ApplicationStatus
from scheduling.yearsvg import week_dates

ERROR_NOT_A_WEEK_NUMBER = _("“%(value)s” is not a week number; choose a week from the list.")


def week_label(week: Week) -> str:
    label = _("Week %(week)s · %(dates)s") % {
        "week": week.number,
        "dates": week_dates(week.starts_on, week.ends_on),
    }
    if not week.is_open:
        reason = week.block_reason or _("capacity 0")
        label += " · " + _("closed: %(reason)s") % {"reason": reason}
    return str(label)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages on the fields it names; unknown fields go above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class WeekListField(forms.Field):
    """Week numbers in the order sent, blanks dropped. Any whole number passes here: the
    service says which weeks are wrong and why (outside the year, closed, ranked twice)."""

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        items = [value] if isinstance(value, str | int) else list(value)
        numbers: list[int] = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            try:
                numbers.append(int(text))
            except ValueError:
                raise ValidationError(
                    ERROR_NOT_A_WEEK_NUMBER, code="invalid", params={"value": text}
                ) from None
        return numbers


class RankedWeeksWidget(forms.Widget):
    """Five selects sharing one name: the order they are sent in is the rank (1 first)."""

    template_name = "scheduling/widget_ranked_weeks.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.weeks: Sequence[Week] = ()

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> list[str]:
        if hasattr(data, "getlist"):
            return list(data.getlist(name))
        value = data.get(name)
        return [] if value is None else list(value)

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> bool:
        return name not in data

    def format_value(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        items = [value] if isinstance(value, str | int) else value
        return [str(v) for v in items]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        values = context["widget"]["value"]
        shared = dict(context["widget"]["attrs"])
        base_id = shared.pop("id", None) or f"id_{name}"
        slots = []
        for i in range(max(MAX_RANKS, len(values))):
            chosen = values[i] if i < len(values) else ""
            options = [
                {
                    "value": str(w.number),
                    "label": week_label(w),
                    "selected": str(w.number) == chosen,
                    # A closed week cannot be chosen, unless it is already stored.
                    "disabled": not w.is_open and str(w.number) != chosen,
                }
                for w in self.weeks
            ]
            slots.append(
                {
                    "attrs": {**shared, "id": f"{base_id}_{i}"},
                    "label": _("Choice %(rank)s") % {"rank": i + 1},
                    "options": options,
                }
            )
        context["widget"]["slots"] = slots
        return context


class ApplicationForm(forms.Form):
    ranked_weeks = WeekListField(
        label=_("Weeks you would like, in order"),
        required=False,
        widget=RankedWeeksWidget,
        help_text=_("Choice 1 is the week you want most. Choices 2 to 5 may stay empty."),
    )
    avoided_weeks = WeekListField(
        label=_("Weeks to avoid"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the weeks your region cannot hold its Learning Week in."),
    )
    theme = forms.CharField(
        label=_("Theme of the region's Learning Week"),
        required=False,
        widget=forms.TextInput(attrs={"required": True, "maxlength": 120}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        required=False,
        widget=forms.TextInput(attrs={"required": True, "autocomplete": "name", "maxlength": 60}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "maxlength": 40}),
    )
    contact_email = forms.CharField(
        label=_("Contact email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(
        self, *args: Any, weeks: Sequence[Week], read_only: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        ranked_widget = self.fields["ranked_weeks"].widget
        assert isinstance(ranked_widget, RankedWeeksWidget)
        ranked_widget.weeks = weeks
        avoid_widget = self.fields["avoided_weeks"].widget
        assert isinstance(avoid_widget, forms.CheckboxSelectMultiple)
        avoid_widget.choices = [(w.number, week_label(w)) for w in weeks]
        if read_only:
            for field in self.fields.values():
                field.disabled = True


def initial_from(status: ApplicationStatus) -> dict[str, Any]:
    """The form's starting values from a region's stored application (none: empty)."""
    application = status.application
    if application is None:
        return {}
    fields = ("theme", "description", "contact_name", "contact_phone", "contact_email")
    initial = {f: getattr(application, f) for f in fields}
    return initial | {"ranked_weeks": status.ranked, "avoided_weeks": status.avoided}


def _week_choices(weeks: Iterable[Week]) -> list[tuple[str, str]]:
    return [("", "—"), *((str(w.number), week_label(w)) for w in weeks)]


class RegionForm(forms.Form):
    """The Ministry choosing which region's application to open."""

    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args: Any, regions: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]  # type: ignore[attr-defined]


class OpenYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2024, max_value=2100)
    applications_deadline = forms.DateField(
        label=_("Applications deadline (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for 30 November of the year before."),
    )


class RunForm(forms.Form):
    expected_latest_run_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PublishForm(forms.Form):
    run_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)


class PinForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    week_number = forms.IntegerField(label=_("Week"), widget=forms.Select)

    def __init__(
        self, *args: Any, regions: Iterable[Region], weeks: Iterable[Week], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]  # type: ignore[attr-defined]
        self.fields["week_number"].widget.choices = _week_choices(weeks)


class UnpinForm(forms.Form):
    region = forms.CharField(widget=forms.HiddenInput)


class WeekForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("Keep as it is")),
        ("open", _("Open")),
        ("blocked", _("Blocked")),
    ]

    number = forms.IntegerField(label=_("Week"), widget=forms.Select)
    capacity = forms.IntegerField(
        label=_("Capacity (regions the week can hold)"),
        required=False,
        help_text=_("Leave empty to keep the current capacity."),
    )
    status = forms.ChoiceField(label=_("Open or blocked"), choices=STATUS_CHOICES, required=False)
    block_reason = forms.CharField(label=_("Reason for blocking"), required=False, max_length=200)

    def __init__(self, *args: Any, weeks: Iterable[Week], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.choices = _week_choices(weeks)

    def blocked(self) -> bool | None:
        return {"open": False, "blocked": True}.get(self.cleaned_data.get("status") or "")


class DayOverrideForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("Kind of day"), choices=DayKindChoice.choices)
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=100)
