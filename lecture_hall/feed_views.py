"""Lecturer, series and session feeds: the lecture hall picks the events, events serves them."""

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from events.feed_views import feed_language, feed_response
from events.feeds import FeedSpec
from lecture_hall.models import Lecturer, LecturerStatus, Series, Session, SessionState


def _named(language: str, zh: str, en: str) -> str:
    return zh if language == "zh-hans" else en


@require_safe
def lecturer_feed(request: HttpRequest, lecturer_id: int) -> HttpResponse:
    lecturer = get_object_or_404(Lecturer, pk=lecturer_id, status=LecturerStatus.APPROVED)
    language = feed_language(request)
    name = _named(
        language, f"线上社会大讲堂 · {lecturer.name}", f"Online Lecture Hall: {lecturer.name}"
    )
    spec = FeedSpec(
        f"lecturer:{lecturer.pk}:{language}", name, Q(tags__key=f"lecturer:{lecturer.pk}"), language
    )
    return feed_response(request, spec, filename=f"lecturer-{lecturer.pk}.ics")


@require_safe
def series_feed(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_object_or_404(Series, pk=series_id)
    language = feed_language(request)
    name = _named(
        language, f"线上社会大讲堂 · {series.title}", f"Online Lecture Hall: {series.title}"
    )
    spec = FeedSpec(
        f"series:{series.pk}:{language}", name, Q(tags__key=f"series:{series.pk}"), language
    )
    return feed_response(request, spec, filename=f"series-{series.pk}.ics")


@require_safe
def session_file(request: HttpRequest, session_id: int) -> HttpResponse:
    """One session as a file; drafts do not exist for the public."""
    session = get_object_or_404(Session.objects.exclude(state=SessionState.DRAFT), pk=session_id)
    if session.event_id is None:
        raise Http404
    language = feed_language(request)
    spec = FeedSpec(
        f"session:{session.pk}:{language}", session.title, Q(pk=session.event_id), language
    )
    return feed_response(request, spec, filename=f"session-{session.pk}.ics")
