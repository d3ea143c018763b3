"""Lecturer accounts and series: who may create them, requests and approval, pictures."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.fixtures import Settings

from accounts.models import Role, User
from lecture_hall.models import Lecturer, LecturerStatus, Series
from lecture_hall.services import (
    lecturer_create,
    lecturer_decide,
    lecturer_request,
    lecturer_update,
    series_create,
)
from tests.factories import LecturerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def picture(
    width: int = 2000, height: int = 1000, fmt: str = "PNG", name: str = "me.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_coordinator_creates_a_lecturer_in_own_region(coordinator: User) -> None:
    lecturer = lecturer_create(
        actor=coordinator,
        username="li",
        email="li@example.cn",
        region_code="110000",
        name="李老师",
        title="副教授",
    )
    assert lecturer.user.role == Role.LECTURER
    assert lecturer.user.region_id == "110000"
    assert not lecturer.user.has_usable_password()


def test_coordinator_cannot_create_lecturers_elsewhere(coordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        lecturer_create(
            actor=coordinator, username="x", email="x@example.cn", region_code="310000", name="X"
        )
    assert not User.objects.filter(username="x").exists()


def test_taken_username_and_missing_name_are_refused(
    ministry_user: User, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        lecturer_create(
            actor=ministry_user,
            username=coordinator.username,
            email="a@b.cn",
            region_code=None,
            name="",
        )
    assert set(excinfo.value.message_dict) == {"username", "name"}


def test_photo_is_resized_to_a_jpeg_of_at_most_800_px(ministry_user: User) -> None:
    lecturer = lecturer_create(
        actor=ministry_user,
        username="p",
        email="p@example.cn",
        region_code=None,
        name="有照片",
        photo=picture(),
    )
    with Image.open(lecturer.photo.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 800


def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(ministry_user: User) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a picture")
    with pytest.raises(ValidationError) as excinfo:
        lecturer_create(
            actor=ministry_user,
            username="q",
            email="q@example.cn",
            region_code=None,
            name="Q",
            photo=fake,
        )
    assert "photo.jpg is not a picture" in excinfo.value.message_dict["photo"][0]
    assert not Lecturer.objects.exists()


def test_resident_requests_and_coordinator_approves(resident: User, coordinator: User) -> None:
    request = lecturer_request(
        actor=resident, region_code="110000", name="张居民", organisation="社区学院"
    )
    assert request.status == LecturerStatus.REQUESTED
    with pytest.raises(ValidationError):
        lecturer_request(actor=resident, region_code="110000", name="再来一次")
    lecturer_decide(actor=coordinator, lecturer=request, approve=True)
    resident.refresh_from_db()
    assert (resident.role, resident.region_id) == (Role.LECTURER, "110000")


def test_other_region_cannot_approve(resident: User, other_coordinator: User) -> None:
    request = lecturer_request(actor=resident, region_code="110000", name="张居民")
    with pytest.raises(PermissionDenied):
        lecturer_decide(actor=other_coordinator, lecturer=request, approve=True)


def test_lecturer_edits_own_profile_not_anothers() -> None:
    me, other = LecturerFactory(), LecturerFactory()
    lecturer_update(actor=me.user, lecturer=me, biography="三十年教龄")
    with pytest.raises(PermissionDenied):
        lecturer_update(actor=me.user, lecturer=other, biography="改别人的")


def test_series_by_its_lecturer_with_cover() -> None:
    me = LecturerFactory()
    series = series_create(
        actor=me.user,
        title="家庭教育十讲",
        lecturer_ids=[me.pk],
        cover=picture(fmt="JPEG", name="c.jpg"),
    )
    assert list(series.lecturers.all()) == [me]
    assert series.cover.name.endswith(".jpg")


def test_series_for_someone_else_is_refused() -> None:
    me, other = LecturerFactory(), LecturerFactory()
    with pytest.raises(PermissionDenied):
        series_create(actor=me.user, title="冒名", lecturer_ids=[other.pk])
    assert not Series.objects.exists()
