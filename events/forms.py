"""Forms of the events pages. They only parse what the browser sent (text, numbers, local times,
files); the services judge it, and their messages are put back on the fields they name. That is
why the choice fields here accept any text: an unknown activity type gets the service's message
("… is not an activity type; choose one of …"), the same one the import and the API give."""

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import (
    ActivityType,
    EventStatus,
    Level,
    NominationKind,
    ReviewStatus,
)
from events.selectors import WHEN_PAST, WHEN_UPCOMING
from events.services.events import ERROR_NOT_A_REGION
from scheduling.models import Region

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
LOCAL_FORMATS = [LOCAL_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

ERROR_LOCAL_DATETIME = _("Enter a date and time such as 2027-04-23 14:00 (Beijing time).")
ERROR_MONTH = _("Enter a month as year and month, such as 2027-04.")
ERROR_DAY = _("Enter a day as year-month-day between 1900 and 2200, such as 2027-06-03.")
ERROR_DAY_OUTSIDE_MONTH = _(
    "%(day)s is not in the month %(month)s; clear the month to see that day, or choose a day in it."
)
# The years a calendar filter accepts (the month view's too): far enough for any campaign, and
# inside what an aware datetime in Asia/Shanghai can be converted to UTC for the database.
FIRST_YEAR, LAST_YEAR = 1900, 2200
ERROR_NO_FILE = _("Choose a file to upload.")
ERROR_STATUS_HERE = _(
    "Choose confirmed or tentative; an event is cancelled on its own page, with a reason."
)

ANY = ("", _("All"))


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages on the fields it names; anything else (and what belongs to a
    hidden field, which shows no errors of its own) goes above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        form.add_error(field if shown else None, messages)


def region_choices(regions: Iterable[Region], empty: tuple[str, Any] | None) -> list[Any]:
    choices: list[Any] = [empty] if empty else []
    return choices + [(r.code, r.name) for r in regions]


class LocalDateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">`: the browser sends a wall-clock time without a zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=LOCAL_INPUT)

    def format_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        return super().format_value(value)


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time read in the campaign's zone (Asia/Shanghai), whatever zone is active."""

    widget = LocalDateTimeInput
    input_formats = LOCAL_FORMATS
    default_error_messages = {"invalid": ERROR_LOCAL_DATETIME}

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            naive = value
        else:
            text = str(value).strip()
            for fmt in LOCAL_FORMATS:
                try:
                    naive = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                    break
                except ValueError:
                    continue
            else:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_aware(naive):
            return naive
        return timezone.make_aware(naive, timezone.get_default_timezone())


# --- The public calendar ---------------------------------------------------------------------

# The list's "when": blank is the default (upcoming, unless a month or day is chosen: then all
# of it), "all" is every date. The words are the lecture hall's.
WHEN_ALL = "all"
WHEN_CHOICES = [("", _("Upcoming")), (WHEN_PAST, _("Past")), (WHEN_ALL, _("Any time"))]


def _when_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=WHEN_CHOICES,
        help_text=_("Upcoming: from today on, soonest first. Past: latest first."),
    )


def when_filter(choice: str, *, dated: bool = False) -> str:
    """The selector's `when` for the form's choice; `dated`: a month or day is chosen, and then
    the default is all of it (the month grid's "more" links open a day, past or not)."""
    if choice == WHEN_PAST:
        return WHEN_PAST
    if choice == WHEN_ALL or dated:
        return ""
    return WHEN_UPCOMING


class WhenForm(forms.Form):
    """Upcoming, past or every event (a coordinator's list); a wrong value shows the default."""

    when = _when_field()

    def choice(self) -> str:
        return self.cleaned_data["when"] if self.is_bound and self.is_valid() else ""

    def filter(self) -> str:
        return when_filter(self.choice())


class EventFilterForm(forms.Form):
    """The calendar's filters, sent by GET; an unknown value is reported and ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Title, city or organiser."),
    )
    when = _when_field()
    region = forms.ChoiceField(label=_("Region"), required=False)
    activity_type = forms.ChoiceField(
        label=_("Activity type"), required=False, choices=[ANY, *ActivityType.choices]
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[ANY, *Level.choices])
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    day = forms.CharField(
        label=_("Day"),
        required=False,
        widget=forms.TextInput(attrs={"type": "date"}),
        help_text=_("Events running at any time of that day."),
    )

    def __init__(self, *args: Any, regions: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions, ANY)  # type: ignore[attr-defined]
        dated = self.is_bound and (self.data.get("month") or self.data.get("day"))
        if dated and not self.data.get("when"):
            # A chosen month or day lists all of it; the form says so.
            self.data = {**dict(self.data.items()), "when": WHEN_ALL}

    def clean_month(self) -> dt.date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        match = MONTH_PATTERN.match(text)
        if (
            not match
            or not 1 <= int(match.group(2)) <= 12
            or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR
        ):
            raise ValidationError(ERROR_MONTH, code="invalid")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)

    def clean_day(self) -> dt.date | None:
        text = (self.cleaned_data.get("day") or "").strip()
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text) if DAY_PATTERN.match(text) else None
        except ValueError:
            day = None
        if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(ERROR_DAY, code="invalid")
        return day

    def clean(self) -> dict[str, Any]:
        # Both filters apply together, so a day outside the month would always list nothing:
        # say so instead (a day inside the month is simply that day).
        data = super().clean() or {}
        day, month = data.get("day"), data.get("month")
        if day and month and day.replace(day=1) != month:
            self.add_error(
                "day",
                ValidationError(
                    ERROR_DAY_OUTSIDE_MONTH,
                    code="outside_month",
                    params={"day": day.isoformat(), "month": f"{month:%Y-%m}"},
                ),
            )
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a wrong one is shown as an error and not applied."""
        if not self.is_bound:
            return {"when": WHEN_UPCOMING}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "when": when_filter(
                data.get("when") or "", dated=bool(data.get("month") or data.get("day"))
            ),
            "region": data.get("region") or None,
            "activity_type": data.get("activity_type") or None,
            "level": data.get("level") or None,
            "month": data.get("month"),
            "day": data.get("day"),
            "search": (data.get("q") or "").strip() or None,
        }


# --- Coordinators' entry ---------------------------------------------------------------------


def _text(label: Any, max_length: int, *, required: bool = False, **attrs: Any) -> forms.CharField:
    widget_attrs = {"maxlength": max_length, **attrs}
    if required:
        widget_attrs["required"] = True
    return forms.CharField(
        label=label, required=False, strip=True, widget=forms.TextInput(attrs=widget_attrs)
    )


class EventForm(forms.Form):
    title = _text(_("Title"), 200, required=True)
    activity_type = forms.CharField(
        label=_("Activity type"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *ActivityType.choices], attrs={"required": True}),
    )
    level = forms.CharField(
        label=_("Level"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *Level.choices], attrs={"required": True}),
        help_text=_("Prefecture-level and county-level events also need their city or county."),
    )
    region = forms.CharField(label=_("Region"), required=False, widget=forms.Select)
    city = _text(_("City or county"), 60)
    starts_at = LocalDateTimeField(
        label=_("Starts at"),
        required=False,
        help_text=_("Beijing time."),
        widget=LocalDateTimeInput(attrs={"required": True}),
    )
    ends_at = LocalDateTimeField(
        label=_("Ends at"),
        required=False,
        help_text=_("Beijing time."),
        widget=LocalDateTimeInput(attrs={"required": True}),
    )
    venue = _text(_("Venue"), 200)
    online_url = forms.CharField(
        label=_("Online link"),
        required=False,
        widget=forms.URLInput(attrs={"maxlength": 500}),
        help_text=_("Starts with https:// or http://."),
    )
    organiser = _text(_("Organiser"), 120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
    )
    status = forms.CharField(
        label=_("Status"),
        required=False,
        widget=forms.Select(
            choices=[
                (EventStatus.CONFIRMED, EventStatus.CONFIRMED.label),
                (EventStatus.TENTATIVE, EventStatus.TENTATIVE.label),
            ]
        ),
    )
    expected_sequence = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        regions: Iterable[Region],
        choose_region: bool,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in regions}
        field = self.fields["region"]
        if choose_region:
            field.widget.choices = region_choices(
                self.regions.values(), ("", _("None (a national event)"))
            )
            field.help_text = _("Leave empty only for a national event.")
        else:
            # A coordinator's events are of their own region; the service refuses any other.
            field.widget = forms.HiddenInput()
        if not editing:
            del self.fields["expected_sequence"]

    def clean_region(self) -> Region | None:
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        if code not in self.regions:
            raise ValidationError(ERROR_NOT_A_REGION % {"code": code}, code="invalid")
        return self.regions[code]

    def clean_status(self) -> str:
        status = self.cleaned_data.get("status") or EventStatus.CONFIRMED
        if status not in (EventStatus.CONFIRMED, EventStatus.TENTATIVE):
            raise ValidationError(ERROR_STATUS_HERE, code="invalid")
        return status

    def event_fields(self) -> dict[str, Any]:
        """What the services take: every field but the hidden sequence."""
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_sequence"}


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300, "required": True}),
        help_text=_("Shown to everyone with the event, and sent to calendars that follow it."),
    )


class ParticipantsForm(forms.Form):
    participants = forms.IntegerField(
        label=_("Participants (person-times)"),
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        help_text=_("Person-times count attendances: one resident at three talks counts 3."),
    )


class RegionPickForm(forms.Form):
    """The Ministry choosing which region a page is about."""

    region = forms.ChoiceField(label=_("Region"))

    def __init__(self, *args: Any, regions: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions, None)  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        error_messages={"required": ERROR_NO_FILE},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument."
                "spreadsheetml.sheet,text/csv"
            }
        ),
        help_text=_("At most 5 MB. The first row holds the template's headers."),
    )

    def __init__(
        self, *args: Any, regions: Iterable[Region], choose_region: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        field.choices = region_choices(regions, None)  # type: ignore[attr-defined]
        if not choose_region:
            field.widget = forms.HiddenInput()


# --- Plans and nominations -------------------------------------------------------------------


class PlanForm(forms.Form):
    title = _text(_("Title of the plan"), 200, required=True)
    document = forms.FileField(
        label=_("The plan as a PDF file"),
        error_messages={"required": ERROR_NO_FILE},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_("PDF only, at most 10 MB."),
    )


class NominationForm(forms.Form):
    kind = forms.CharField(
        label=_("Kind"),
        required=False,
        widget=forms.Select(choices=[("", "—"), *NominationKind.choices], attrs={"required": True}),
    )
    name = _text(_("Name"), 120, required=True)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 3000, "required": True}),
    )
    material = forms.FileField(
        label=_("Material (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}),
        help_text=_("A PDF or a picture (PNG, JPEG, WebP), at most 10 MB."),
    )


class ReviewForm(forms.Form):
    """Accept or return one plan or nomination; the button pressed sends the status."""

    status = forms.CharField(required=False, widget=forms.HiddenInput)
    review_comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
        help_text=_("Required when returning: say what needs to change."),
    )


REVIEW_KINDS = [
    ANY,
    ("plan", _("Work plan")),
    *NominationKind.choices,
]


class ReviewFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=REVIEW_KINDS)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *ReviewStatus.choices]
    )

    def __init__(self, *args: Any, regions: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions, ANY)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ReopenForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    what = forms.CharField(
        label=_("What to reopen"),
        required=False,
        widget=forms.Select(choices=[("plan", _("Work plan")), ("nominations", _("Nominations"))]),
    )
    until = LocalDateTimeField(
        label=_("Open until"),
        help_text=_("Beijing time."),
        widget=LocalDateTimeInput(attrs={"required": True}),
    )

    def __init__(self, *args: Any, regions: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(regions, None)  # type: ignore[attr-defined]
