"""Page URLs of scheduling: the public year calendar, the coordinator's application, the
Ministry's allocation dashboard."""

from django.urls import URLPattern

app_name = "scheduling"

urlpatterns: list[URLPattern] = []
