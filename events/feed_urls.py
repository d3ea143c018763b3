"""Calendar feed URLs (public interface, see DESIGN.md): /calendar/…ics."""

from django.urls import URLPattern, path

from events import calendar_views, feed_views

urlpatterns: list[URLPattern] = [
    path("all.ics", feed_views.national_feed, name="feed-all"),
    path("regions/<str:code>.ics", feed_views.region_feed, name="feed-region"),
    path("events/<int:event_id>.ics", feed_views.event_file, name="feed-event"),
    path("me/<str:token>.ics", feed_views.private_feed, name="feed-private"),
    path("me/", calendar_views.my_calendar, name="my-calendar"),
    path("me/rotate/", calendar_views.rotate_link, name="my-calendar-rotate"),
    path("me/follow/", calendar_views.follow, name="my-calendar-follow"),
    path("me/star/<int:event_id>/", calendar_views.star_event, name="my-calendar-star"),
]
