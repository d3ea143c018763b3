"""The public calendar: the filtered list, the month view and one event's page."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.permissions import can_manage_region, is_ministry
from events.forms import EventFilterForm
from events.models import Event, EventSource
from events.selectors import (
    EventFilters,
    event_list,
    month_events,
    month_grid,
    month_total,
)
from events.views.common import paginate, when_links
from scheduling.models import Region

FILTER_KEYS = ("q", "when", "region", "activity_type", "level", "month", "day")


def _query(request: HttpRequest, *, drop: tuple[str, ...] = ()) -> str:
    """The filters of this request as a query string, for links that keep them."""
    kept = request.GET.copy()
    for key in list(kept):
        if key not in FILTER_KEYS or key in drop or not kept.get(key):
            del kept[key]
    return kept.urlencode()


def _filter_form(request: HttpRequest) -> EventFilterForm:
    data = request.GET if any(request.GET.get(k) for k in FILTER_KEYS) else None
    return EventFilterForm(data, regions=Region.objects.all())


@require_safe
def event_list_page(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = EventFilters(**form.filters())
    choice = form["when"].value() or "" if form.is_bound else ""
    context = {
        "form": form,
        "when": filters.when,
        "when_links": when_links(request, choice, FILTER_KEYS),
        "page": paginate(request, event_list(filters)),
        "query": _query(request, drop=("month", "day")),
        "day": filters.day,
        # The grid link of a one-day list opens that day's month.
        "month": filters.day.replace(day=1) if filters.day else filters.month,
    }
    return render(request, "events/list.html", context)


def _shift(month: dt.date, by: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


@require_safe
def month_page(
    request: HttpRequest, year: int | None = None, month: int | None = None
) -> HttpResponse:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    if year is None or month is None:
        year, month = today.year, today.month
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise Http404("No such month.")
    first = dt.date(year, month, 1)
    form = _filter_form(request)
    events = month_events(EventFilters(**form.filters()), first)
    context = {
        "form": form,
        "month": first,
        "weeks": month_grid(first, events),
        "count": month_total(first, events),
        "previous": _shift(first, -1),
        "next": _shift(first, 1),
        "query": _query(request, drop=("month", "day")),
        # Marked and linked ("Today") only when this month holds it.
        "today": today if (today.year, today.month) == (year, month) else None,
    }
    return render(request, "events/month.html", context)


@require_safe
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("region"), pk=event_id)
    user: Any = request.user
    if event.region_id is None:
        can_change = is_ministry(user)
    else:
        can_change = can_manage_region(user, event.region_id)
    context = {
        "event": event,
        "can_change": can_change and event.source != EventSource.LECTURE_HALL,
        "can_record": can_change,
    }
    return render(request, "events/detail.html", context)
