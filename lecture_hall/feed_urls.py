"""Lecture hall feed URLs (public interface, see DESIGN.md)."""

from django.urls import URLPattern, path

from lecture_hall import feed_views

urlpatterns: list[URLPattern] = [
    path("lecturers/<int:lecturer_id>.ics", feed_views.lecturer_feed, name="feed-lecturer"),
    path("series/<int:series_id>.ics", feed_views.series_feed, name="feed-series"),
    path("sessions/<int:session_id>.ics", feed_views.session_file, name="feed-session"),
]
