"""Statistics table pages and exports (/reports/…)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
