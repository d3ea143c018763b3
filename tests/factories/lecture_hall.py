"""Factories for the lecture hall."""

import factory

from accounts.models import Role
from lecture_hall.models import Lecturer, LecturerStatus
from tests.factories.accounts import UserFactory


class LecturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecturer

    user = factory.SubFactory(UserFactory, role=Role.LECTURER, region_id="500000")
    name = factory.Sequence(lambda n: f"讲师{n}")
    title = "教授"
    organisation = "重庆开放大学"
    region_id = "500000"
    status = LecturerStatus.APPROVED
