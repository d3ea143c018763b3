"""Live room pages: the room, the lecturer's live panel, the attendance page and its CSV."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
