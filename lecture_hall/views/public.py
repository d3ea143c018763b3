"""The public lecture hall: the home page (live now, today, this week, browse and search), a
session, a lecturer and a series, and the lists of all lecturers and series."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lecture_hall import selectors
from lecture_hall.forms import SearchForm
from lecture_hall.views.common import hall_page, page_of


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.SessionFilters()
    context: dict[str, object] = {"form": form, "filters": filters}
    if filters.active:
        context["results"] = page_of(
            request, selectors.session_search(filters), count_cap=selectors.SEARCH_COUNT_CAP
        )
    else:
        context["hall"] = selectors.hall_overview()
    return render(request, "lecture_hall/home.html", context)


@require_safe
@hall_page
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.session_page(pk=pk, viewer=request.user)
    return render(request, "lecture_hall/session_detail.html", {"page": page, "s": page.session})


@require_safe
@hall_page
def lecturer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.lecturer_page(pk=pk, viewer=request.user)
    context = {
        "page": page,
        "lecturer": page.lecturer,
        "upcoming": page_of(request, page.upcoming, "upcoming"),
        "past": page_of(request, page.past, "past"),
    }
    return render(request, "lecture_hall/lecturer_detail.html", context)


@require_safe
@hall_page
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.series_page(pk=pk, viewer=request.user)
    context = {
        "page": page,
        "series": page.series,
        "upcoming": page_of(request, page.upcoming, "upcoming"),
        "past": page_of(request, page.past, "past"),
    }
    return render(request, "lecture_hall/series_detail.html", context)


@require_safe
def lecturer_list(request: HttpRequest) -> HttpResponse:
    lecturers = page_of(request, selectors.lecturer_overview(), size=48)
    return render(request, "lecture_hall/lecturer_list.html", {"lecturers": lecturers})


@require_safe
def series_list(request: HttpRequest) -> HttpResponse:
    series = page_of(request, selectors.series_overview(), size=24)
    return render(request, "lecture_hall/series_list.html", {"series_page": series})
