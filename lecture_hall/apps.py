"""App configuration for the lecture hall."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LectureHallConfig(AppConfig):
    name = "lecture_hall"
    verbose_name = _("Online Public Lecture Hall")

    def ready(self) -> None:
        # Events never imports the lecture hall: the hall tells events how to name the
        # "lecturer:ID" / "series:ID" tags on its sessions' events and whom their changes reach.
        from django.urls import reverse

        from events.reminders.registry import tag_kind_register
        from lecture_hall.models import Lecturer, Series

        tag_kind_register(
            "lecturer",
            label=lambda ids: dict(Lecturer.objects.filter(pk__in=ids).values_list("pk", "name")),
            notice_user_ids=lambda ids: list(
                Lecturer.objects.filter(pk__in=ids).values_list("user_id", flat=True)
            ),
            url=lambda pk: reverse("lecture_hall:lecturer", kwargs={"pk": pk}),
        )
        tag_kind_register(
            "series",
            label=lambda ids: dict(Series.objects.filter(pk__in=ids).values_list("pk", "title")),
            url=lambda pk: reverse("lecture_hall:series", kwargs={"pk": pk}),
        )
