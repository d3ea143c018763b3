"""HTTP for calendar feeds: conditional GET with strong ETags, HEAD, and cache headers that
calendar clients honour. `feed_response` is what other apps (the lecture hall's lecturer and
series feeds) call with their own selection."""

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events.feeds import (
    FeedSpec,
    FeedWindowError,
    cached_body,
    cached_version,
    feed_body,
    feed_body_gzip,
    feed_rows,
    parse_window,
)
from events.models import CalendarSubscription, Event
from events.services.subscriptions import token_hash
from scheduling.models import Region

CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLIC_CACHE = "public, max-age=900"
PRIVATE_CACHE = "private, max-age=900"


def feed_language(request: HttpRequest) -> str:
    """Feeds are Chinese unless ?lang=en: calendar apps send no useful Accept-Language."""
    return "en" if request.GET.get("lang") == "en" else "zh-hans"


def feed_response(
    request: HttpRequest, spec: FeedSpec, *, private: bool = False, filename: str = "calendar.ics"
) -> HttpResponse:
    try:
        with translation.override(spec.language):  # errors in the feed's language
            window = parse_window(request.GET.get("from"), request.GET.get("to"))
    except FeedWindowError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    version, rows = cached_version(spec, window)
    # A gzipped body is a different representation: it gets its own strong ETag.
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = f'"{version.etag}-gz"' if gzipped else f'"{version.etag}"'
    cache_control = PRIVATE_CACHE if private else PUBLIC_CACHE
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=int(version.last_modified.timestamp())
    )
    if not_modified is not None:
        not_modified["Cache-Control"] = cache_control
        not_modified["Vary"] = "Accept-Encoding"
        return not_modified
    body = cached_body(version)
    if body is None:
        body = feed_body(spec, rows if rows is not None else feed_rows(spec, window), version)
    payload = feed_body_gzip(body, version) if gzipped else body
    response = HttpResponse(b"" if request.method == "HEAD" else payload, content_type=CONTENT_TYPE)
    response["Content-Length"] = str(len(payload))
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(version.last_modified.timestamp())
    response["Cache-Control"] = cache_control
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
    return response


def _named(language: str, zh: str, en: str) -> str:
    return zh if language == "zh-hans" else en


@require_safe
def national_feed(request: HttpRequest) -> HttpResponse:
    language = feed_language(request)
    name = _named(language, "全民终身学习 · 全部活动", "Lifelong Learning for All: all activities")
    return feed_response(
        request, FeedSpec(f"all:{language}", name, Q(), language), filename="all.ics"
    )


@require_safe
def region_feed(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=code)
    language = feed_language(request)
    name = _named(
        language, f"全民终身学习 · {region.short_name_zh}", f"Lifelong Learning: {region.name_en}"
    )
    spec = FeedSpec(f"region:{code}:{language}", name, Q(region_id=code), language)
    return feed_response(request, spec, filename=f"{code}.ics")


@require_safe
def event_file(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    language = feed_language(request)
    spec = FeedSpec(f"event:{event.pk}:{language}", event.title, Q(pk=event.pk), language)
    return feed_response(request, spec, filename=f"event-{event.pk}.ics")


@require_safe
def private_feed(request: HttpRequest, token: str) -> HttpResponse:
    if len(token) > 64:
        raise Http404
    subscription = CalendarSubscription.objects.filter(token_hash=token_hash(token)).first()
    if subscription is None:
        raise Http404  # no hint whether the link ever existed
    language = subscription.user.language or "zh-hans"
    selection = Q(pk__in=subscription.starred.values("pk"))
    regions = list(subscription.regions.values_list("code", flat=True))
    if regions:
        selection |= Q(region_id__in=regions)
    if subscription.activity_types:
        selection |= Q(activity_type__in=subscription.activity_types)
    if subscription.tags:
        selection |= Q(tags__key__in=subscription.tags)
    with translation.override(language):
        name = _("My lifelong-learning calendar")
    spec = FeedSpec(
        f"me:{subscription.pk}:{subscription.token_hash[:12]}",
        name,
        selection,
        language,
        alarm_minutes=subscription.alarm_minutes,
        distinct=True,
    )
    return feed_response(request, spec, private=True, filename="my-calendar.ics")
