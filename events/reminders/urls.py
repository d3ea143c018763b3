"""Reminder pages: remind me, my reminders, confirm, unsubscribe, the delivery view.

The confirm and unsubscribe paths are the shapes config.logging redacts; keep them."""

from django.urls import URLPattern, path, register_converter

from events.reminders import views

app_name = "reminders"


class Token:
    """A link secret: URL-safe base64, as `secrets.token_urlsafe` makes it."""

    regex = "[A-Za-z0-9_-]{16,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Token, "reminder_token")

urlpatterns: list[URLPattern] = [
    path("reminders/", views.reminders_mine, name="mine"),
    path("reminders/new/", views.reminder_new, name="new"),
    path("reminders/deliveries/", views.deliveries, name="deliveries"),
    path("reminders/confirm/<reminder_token:token>/", views.confirm, name="confirm"),
    path("reminders/<int:pk>/", views.reminder_change, name="change"),
    path("reminders/<int:pk>/stop/", views.reminder_stop, name="stop"),
    path("unsubscribe/<reminder_token:token>/", views.unsubscribe, name="unsubscribe"),
]
