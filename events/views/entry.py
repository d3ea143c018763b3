"""Coordinators' pages: enter, change, cancel an event, record its participants, list the
region's events, and import a whole spreadsheet. The services check who may do what."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import is_ministry
from events.forms import (
    CancelForm,
    EventForm,
    ImportForm,
    ParticipantsForm,
    RegionPickForm,
    WhenForm,
    add_service_errors,
)
from events.models import (
    ACTIVITY_TYPE_NOTICE_NAMES,
    LEVEL_NOTICE_NAMES,
    Event,
    EventSource,
    EventStatus,
)
from events.selectors import EventFilters, event_list
from events.services import (
    ImportFailed,
    event_cancel,
    event_create,
    event_record_participants,
    event_update,
    events_import,
)
from events.spreadsheet import MAX_BYTES, template_csv, template_workbook
from events.views.common import (
    chosen_region,
    paginate,
    require_entry_rights,
    require_event_writer,
    signed_in_page,
    when_links,
)
from scheduling.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDIT_FIELDS = (
    "title",
    "activity_type",
    "level",
    "region",
    "city",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "organiser",
    "description",
    "status",
)


def _form_kwargs(user: Any) -> dict[str, Any]:
    """The Ministry chooses any region; a coordinator's pages carry their own region (hidden),
    and the services refuse any other."""
    return {"regions": list(Region.objects.all()), "choose_region": is_ministry(user)}


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def event_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_entry_rights(user)
    if request.method == "POST":
        form = EventForm(request.POST, **_form_kwargs(user))
        if form.is_valid():
            try:
                event = event_create(actor=user, **form.event_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The event “%(title)s” is saved.") % {"title": event})
                return redirect("events:detail", event_id=event.pk)
    else:
        initial = {"region": getattr(user, "region_id", None) or ""}
        form = EventForm(initial=initial, **_form_kwargs(user))
    context = {"form": form, "event": None, "choose_region": is_ministry(user)}
    return render(request, "events/event_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("region"), pk=event_id)
    user: Any = request.user
    require_event_writer(user, event)
    if request.method == "POST":
        form = EventForm(request.POST, editing=True, **_form_kwargs(user))
        if form.is_valid():
            try:
                event = event_update(
                    actor=user,
                    event=event,
                    expected_sequence=form.cleaned_data.get("expected_sequence"),
                    **form.event_fields(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The event “%(title)s” is saved.") % {"title": event})
                return redirect("events:detail", event_id=event.pk)
    else:
        initial = {name: getattr(event, name) for name in EDIT_FIELDS}
        initial["region"] = event.region_id or ""
        initial["expected_sequence"] = event.sequence
        form = EventForm(initial=initial, editing=True, **_form_kwargs(user))
    context = {
        "form": form,
        "event": event,
        "closed": event.status == EventStatus.CANCELLED or event.source == EventSource.LECTURE_HALL,
    }
    return render(request, "events/event_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def event_cancel_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("region"), pk=event_id)
    user: Any = request.user
    require_event_writer(user, event)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_cancel(actor=user, event=event, reason=form.cleaned_data["cancel_reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The event “%(title)s” is cancelled.") % {"title": event})
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/cancel.html", {"form": form, "event": event})


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def event_participants(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("region"), pk=event_id)
    user: Any = request.user
    require_event_writer(user, event)
    if request.method == "POST":
        form = ParticipantsForm(request.POST)
        if form.is_valid():
            try:
                event = event_record_participants(
                    actor=user, event=event, participants=form.cleaned_data["participants"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(count)s person-times are recorded for “%(title)s”.")
                    % {"count": event.participants, "title": event},
                )
                return redirect("events:detail", event_id=event.pk)
    else:
        form = ParticipantsForm(initial={"participants": event.participants})
    return render(request, "events/participants.html", {"form": form, "event": event})


@require_safe
@signed_in_page
def my_events(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_entry_rights(user)
    code = chosen_region(request)
    pick = RegionPickForm(initial={"region": code}, regions=Region.objects.all())
    region = get_object_or_404(Region, code=code) if code else None
    when = WhenForm(request.GET if request.GET.get("when") else None)
    filters = EventFilters(region=code, when=when.filter())
    page = paginate(request, event_list(filters)) if code else None
    context = {
        "region": region,
        "page": page,
        "pick": pick if is_ministry(user) else None,
        "when": filters.when,
        "when_links": when_links(request, when.choice(), ("region",)),
    }
    return render(request, "events/mine.html", context)


# --- The spreadsheet import ------------------------------------------------------------------


def _template_labels() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    types = [(str(value), name) for value, name in ACTIVITY_TYPE_NOTICE_NAMES.items()]
    levels = [(str(value), name) for value, name in LEVEL_NOTICE_NAMES.items()]
    return types, levels


@require_safe
def import_template_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(*_template_labels()), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="events-template.xlsx"'
    return response


@require_safe
def import_template_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="events-template.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def events_import_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_entry_rights(user)
    context: dict[str, Any] = {"errors": None, "counts": None}
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, **_form_kwargs(user))
        if form.is_valid():
            code = form.cleaned_data["region"]
            upload = form.cleaned_data["file"]
            # One byte more than allowed is enough for the import to say the file is too big.
            content = upload.read(MAX_BYTES + 1)
            try:
                context["counts"] = events_import(
                    actor=user, region_code=code, content=content, filename=upload.name or ""
                )
            except ImportFailed as exc:
                context["errors"] = exc.errors
            context["region"] = Region.objects.get(code=code)
    else:
        form = ImportForm(initial={"region": user.region_id}, **_form_kwargs(user))
    context["form"] = form
    context["type_names"] = list(ACTIVITY_TYPE_NOTICE_NAMES.values())
    context["level_names"] = list(LEVEL_NOTICE_NAMES.values())
    return render(request, "events/import.html", context)
