"""App configuration for the lecture hall."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LectureHallConfig(AppConfig):
    name = "lecture_hall"
    verbose_name = _("Online Public Lecture Hall")
