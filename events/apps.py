"""App configuration for events."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events and calendar")

    def ready(self) -> None:
        # Connects the reminders' listener to event_changed.
        from events.reminders import receivers  # noqa: F401
