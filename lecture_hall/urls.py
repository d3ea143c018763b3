"""Page URLs of the lecture hall: the public hall, sessions, lecturers, series, the dashboard."""

from django.urls import URLPattern

app_name = "lecture_hall"

urlpatterns: list[URLPattern] = []
