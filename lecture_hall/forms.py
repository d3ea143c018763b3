"""Forms of the lecture hall pages. They only parse what the browser sent (text, a time in
Beijing time, numbers, chosen lecturers, a picture); the services judge it, and their messages
are put back on the fields they name."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from lecture_hall.models import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    Lecturer,
    Session,
    SessionState,
)
from lecture_hall.selectors import WHEN_CHOICES, AuthoringScope, SessionFilters
from scheduling.models import Region

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# The services name some fields after their arguments; the forms after what people see.
SERVICE_FIELDS = {"lecturer_ids": "lecturers", "region_code": "region"}
PICTURE_TYPES = "image/jpeg,image/png,image/webp"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's messages on the fields it names; anything else goes above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        name = SERVICE_FIELDS.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


def _text(label: Any, max_length: int, *, required: bool = False, **attrs: Any) -> forms.CharField:
    """A text field the browser marks as required, while an empty value still reaches the
    service, whose message says what is missing."""
    widget_attrs = {"maxlength": max_length, **attrs}
    if required:
        widget_attrs["required"] = True
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.TextInput(widget_attrs)
    )


def _long_text(label: Any, max_length: int, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length}),
    )


def _link(label: Any, help_text: Any = "") -> forms.CharField:
    # Not a URLField: the service's own message explains which links are accepted.
    return forms.CharField(
        label=label,
        required=False,
        max_length=500,
        help_text=help_text,
        widget=forms.URLInput(attrs={"maxlength": 500, "placeholder": "https://"}),
    )


def _starts_at(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("Beijing time (Asia/Shanghai)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


def _duration_help_text() -> str:
    # Formatted when shown, so in the reader's language.
    return _("From %(min)s minutes to %(max)s hours.") % {
        "min": MIN_DURATION_MINUTES,
        "max": MAX_DURATION_MINUTES // 60,
    }


_duration_help = lazy(_duration_help_text, str)


def _duration(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Duration in minutes"),
        required=required,
        help_text=_duration_help(),
        widget=forms.NumberInput(
            attrs={"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES, "step": 5}
        ),
    )


def _reason(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=300,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300, "required": True}),
    )


def _picture(label: Any) -> forms.FileField:
    # Not an ImageField: the service decodes the upload and says why a file is refused.
    return forms.FileField(
        label=label,
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. It is shown at most 800 pixels wide."),
        widget=forms.FileInput(attrs={"accept": PICTURE_TYPES}),
    )


class LecturerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Lecturer) -> str:
        return " · ".join(part for part in (obj.name, obj.title, obj.organisation) if part)


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


def _lecturers(queryset: Any) -> LecturerChoices:
    return LecturerChoices(
        label=_("Lecturers"),
        queryset=queryset,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick everyone who gives the session."),
    )


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- The public hall ------------------------------------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words in the title, abstract or a lecturer's name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 100}),
    )
    region = RegionChoice(
        label=_("Region"),
        queryset=Region.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All regions"),
    )
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[
            ("", _("Any time")),
            *zip(WHEN_CHOICES, (_("Upcoming"), _("Today"), _("This week"), _("Past")), strict=True),
        ],
    )

    def filters(self) -> SessionFilters:
        """What to look for; nothing when the form is not valid."""
        if not self.is_valid():
            return SessionFilters()
        region = self.cleaned_data["region"]
        return SessionFilters(
            q=self.cleaned_data["q"].strip(),
            region=region.code if region else None,
            when=self.cleaned_data["when"],
        )


# --- Sessions -------------------------------------------------------------------------------


class SessionForm(forms.Form):
    title = _text(_("Title"), 200, required=True)
    abstract = _long_text(_("Abstract"), 5000)
    lecturers = _lecturers(Lecturer.objects.none())
    series: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Series"), queryset=None, required=False, empty_label=_("No series")
    )
    region = RegionChoice(
        label=_("Region"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("The series' or the first lecturer's region"),
    )
    starts_at = _starts_at(_("Starts at"))
    duration_minutes = _duration()
    stream_url = _link(
        _("Stream link"), _("Where residents watch the talk live; it can be added later.")
    )

    def __init__(self, *args: Any, scope: AuthoringScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lecturers"].queryset = scope.lecturers  # type: ignore[attr-defined]
        self.fields["series"].queryset = scope.series  # type: ignore[attr-defined]
        if "region" in self.fields:
            self.fields["region"].queryset = scope.regions  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, scope: AuthoringScope) -> dict[str, Any]:
        """A new session: the lecturer's own profile ticked, their region, one hour long."""
        initial: dict[str, Any] = {"duration_minutes": 60}
        if scope.own_lecturer is not None:
            initial["lecturers"] = [scope.own_lecturer.pk]
        if scope.default_region:
            initial["region"] = scope.default_region
        return initial

    def create_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "abstract": data["abstract"],
            "series": data["series"],
            "lecturer_ids": [lecturer.pk for lecturer in data["lecturers"]],
            "region_code": data["region"].code if data["region"] else None,
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "stream_url": data["stream_url"],
        }


class SessionEditForm(SessionForm):
    """Edit a draft or a published session. A published session's time is changed through
    the reschedule form instead, which asks for the reason subscribers will read."""

    expected_version = _version()

    def __init__(self, *args: Any, scope: AuthoringScope, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, scope=scope, **kwargs)
        del self.fields["region"]  # the services keep a session in its region
        if session.state != SessionState.DRAFT:
            del self.fields["starts_at"]
            del self.fields["duration_minutes"]

    @staticmethod
    def initial_from(session: Session) -> dict[str, Any]:
        return {
            "title": session.title,
            "abstract": session.abstract,
            "lecturers": [lecturer.pk for lecturer in session.lecturers.all()],
            "series": session.series_id,
            "starts_at": session.starts_at,
            "duration_minutes": session.duration_minutes,
            "stream_url": session.stream_url,
            "expected_version": session.version,
        }

    def update_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            "expected_version": data["expected_version"],
            "title": data["title"],
            "abstract": data["abstract"],
            "series": data["series"],
            "lecturer_ids": [lecturer.pk for lecturer in data["lecturers"]],
            "stream_url": data["stream_url"],
        }
        for key in ("starts_at", "duration_minutes"):
            if key in self.fields:
                arguments[key] = data[key]
        return arguments


class VersionForm(forms.Form):
    """Publish: only the version the lecturer saw."""

    expected_version = _version()


class RescheduleForm(forms.Form):
    starts_at = _starts_at(_("New start"))
    duration_minutes = _duration()
    reason = _reason(
        _("Reason for the change"),
        _("Subscribers read this with the new time, e.g. “The lecturer is travelling that day.”"),
    )
    expected_version = _version()


class CancelForm(forms.Form):
    reason = _reason(
        _("Reason for cancelling"),
        _("Subscribers and visitors of the session page read this."),
    )
    expected_version = _version()


class EndForm(forms.Form):
    replay_url = _link(_("Replay link"), _("Where residents can watch the recording (optional)."))
    expected_version = _version()


# --- Series ---------------------------------------------------------------------------------


class SeriesForm(forms.Form):
    title = _text(_("Title"), 200, required=True)
    description = _long_text(_("Description of the series"), 5000)
    region = RegionChoice(
        label=_("Region"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("National (no region)"),
    )
    lecturers = _lecturers(Lecturer.objects.none())
    cover = _picture(_("Cover picture"))

    def __init__(self, *args: Any, scope: AuthoringScope, editing: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["lecturers"].queryset = scope.lecturers  # type: ignore[attr-defined]
        self.fields["lecturers"].help_text = _("Tick the lecturers of the series.")
        if editing:
            del self.fields["region"]  # a series stays in its region
        else:
            self.fields["region"].queryset = scope.regions  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, scope: AuthoringScope) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        if scope.own_lecturer is not None:
            initial["lecturers"] = [scope.own_lecturer.pk]
        if scope.default_region:
            initial["region"] = scope.default_region
        return initial

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            "title": data["title"],
            "description": data["description"],
            "lecturer_ids": [lecturer.pk for lecturer in data["lecturers"]],
            "cover": data["cover"],
        }
        if "region" in self.fields:
            arguments["region_code"] = data["region"].code if data["region"] else None
        return arguments


# --- Lecturers ------------------------------------------------------------------------------


class LecturerProfileForm(forms.Form):
    name = _text(_("Full name"), 60, required=True, autocomplete="name")
    title = _text(_("Professional title"), 60)
    organisation = _text(_("Organisation"), 120, autocomplete="organization")
    biography = _long_text(_("Short biography"), 2000)
    photo = _picture(_("Photo"))

    def profile(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("name", "title", "organisation", "biography")}


class LecturerRequestForm(forms.Form):
    name = _text(_("Full name"), 60, required=True, autocomplete="name")
    title = _text(_("Professional title"), 60)
    organisation = _text(_("Organisation"), 120, autocomplete="organization")
    region = RegionChoice(
        label=_("Region"),
        queryset=Region.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("National (no region)"),
        help_text=_("The coordinators of this region decide on your request."),
    )
    biography = _long_text(_("Short biography"), 2000)

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        region = data["region"]
        return {
            "region_code": region.code if region else None,
            **{k: data[k] for k in ("name", "title", "organisation", "biography")},
        }


class LecturerCreateForm(forms.Form):
    username = _text(_("User name"), 150, required=True, autocomplete="off")
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("The lecturer chooses a password through “Forgotten your password?”."),
    )
    name = _text(_("Full name"), 60, required=True)
    title = _text(_("Professional title"), 60)
    organisation = _text(_("Organisation"), 120)
    region = RegionChoice(label=_("Region"), queryset=None, to_field_name="code", required=False)
    biography = _long_text(_("Short biography"), 2000)
    photo = _picture(_("Photo"))

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "username": data["username"].strip(),
            "email": data["email"],
            "region_code": data["region"].code if data["region"] else None,
            "photo": data["photo"],
            **{k: data[k] for k in ("name", "title", "organisation", "biography")},
        }


class DecideForm(forms.Form):
    lecturer = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
