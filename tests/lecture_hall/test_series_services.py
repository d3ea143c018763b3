"""Series services: whom a coordinator may name on a series (their region's lecturers and those
the series already has), the Ministry anyone, a lecturer as before; a refusal stores nothing."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from lecture_hall.models import Lecturer, Series
from lecture_hall.services import series_create, series_update
from lecture_hall.services.series import ERROR_LECTURER_REGION
from tests.factories import LecturerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher() -> Lecturer:
    return LecturerFactory(name="王教授")  # Chongqing (500000)


@pytest.fixture
def chongqing() -> User:
    return UserFactory(role=Role.COORDINATOR, region_id="500000")


@pytest.fixture
def visitor() -> Lecturer:
    return LecturerFactory(name="赵研究员", region_id="110000", user__region_id="110000")


def not_of_your_region(lecturer: Lecturer) -> str:
    return str(ERROR_LECTURER_REGION % {"name": lecturer.name})


def test_coordinator_cannot_create_a_series_with_another_regions_lecturer(
    teacher: Lecturer, chongqing: User, visitor: Lecturer
) -> None:
    for lecturer_ids in ([visitor.pk], [teacher.pk, visitor.pk]):
        with pytest.raises(ValidationError) as excinfo:
            series_create(
                actor=chongqing, title="京渝讲堂", region_code="500000", lecturer_ids=lecturer_ids
            )
        assert excinfo.value.message_dict == {"lecturer_ids": [not_of_your_region(visitor)]}
    assert not Series.objects.exists()


def test_coordinator_of_another_region_cannot_name_this_regions_lecturer(
    teacher: Lecturer, coordinator: User
) -> None:
    # `coordinator` coordinates Beijing; a Beijing series with Chongqing's teacher on it.
    with pytest.raises(ValidationError) as excinfo:
        series_create(
            actor=coordinator, title="北京讲堂", region_code="110000", lecturer_ids=[teacher.pk]
        )
    assert excinfo.value.message_dict == {"lecturer_ids": [not_of_your_region(teacher)]}
    assert not Series.objects.exists()


def test_coordinator_cannot_add_another_regions_lecturer_to_a_series(
    teacher: Lecturer, chongqing: User, visitor: Lecturer
) -> None:
    series = series_create(
        actor=chongqing, title="健康讲堂", region_code="500000", lecturer_ids=[teacher.pk]
    )
    with pytest.raises(ValidationError) as excinfo:
        series_update(
            actor=chongqing, series=series, title="京渝讲堂", lecturer_ids=[teacher.pk, visitor.pk]
        )
    assert excinfo.value.message_dict == {"lecturer_ids": [not_of_your_region(visitor)]}
    series.refresh_from_db()
    assert (series.title, list(series.lecturers.all())) == ("健康讲堂", [teacher])


def test_coordinator_keeps_the_lecturers_a_series_has_and_the_ministry_names_anyone(
    teacher: Lecturer, chongqing: User, visitor: Lecturer, ministry_user: User
) -> None:
    series = series_create(
        actor=ministry_user, title="京渝讲堂", region_code="500000", lecturer_ids=[visitor.pk]
    )
    colleague = LecturerFactory(name="陈老师")  # Chongqing too
    edited = series_update(
        actor=chongqing, series=series, title="京渝对谈", lecturer_ids=[visitor.pk, colleague.pk]
    )
    assert (edited.title, set(edited.lecturers.all())) == ("京渝对谈", {visitor, colleague})


def test_a_lecturer_names_colleagues_of_any_region_on_their_series(
    teacher: Lecturer, visitor: Lecturer
) -> None:
    # Lecturers keep their rule (they must be on it); the region rule is the coordinators'.
    series = series_create(
        actor=teacher.user,
        title="京渝讲堂",
        region_code="500000",
        lecturer_ids=[teacher.pk, visitor.pk],
    )
    assert set(series.lecturers.all()) == {teacher, visitor}
