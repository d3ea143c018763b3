"""Reminder pages: remind me, my reminders, confirm, unsubscribe, the delivery view."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
