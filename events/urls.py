"""Page URLs of events: the public calendar, event pages, coordinator entry and import,
plans and nominations, coverage and the showcase."""

from django.urls import URLPattern

app_name = "events"

urlpatterns: list[URLPattern] = []
