"""The one place services ask who may write what."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import permissions
from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "region", "target", "allowed"),
    [
        (Role.MINISTRY, None, "110000", True),
        (Role.COORDINATOR, "110000", "110000", True),
        (Role.COORDINATOR, "110000", "310000", False),
        (Role.LECTURER, "110000", "110000", False),
        (Role.RESIDENT, None, "110000", False),
    ],
)
def test_can_manage_region_by_role(
    role: Role, region: str | None, target: str, allowed: bool
) -> None:
    user = UserFactory(role=role, region_id=region)
    assert permissions.can_manage_region(user, target) is allowed


def test_anonymous_user_manages_nothing() -> None:
    anonymous = AnonymousUser()
    assert not permissions.can_manage_region(anonymous, "110000")
    assert not permissions.can_manage_lecture(anonymous, lecturer_user_ids=set(), region_code=None)
    with pytest.raises(PermissionDenied, match=str(permissions.ERROR_NOT_SIGNED_IN)):
        permissions.require_region_manager(anonymous, "110000")


def test_require_region_manager_names_both_regions_for_another_coordinator(
    coordinator: User,
) -> None:
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_region_manager(coordinator, "310000")
    assert "110000" in str(excinfo.value)
    assert "310000" in str(excinfo.value)


def test_require_ministry_refuses_a_coordinator(coordinator: User, ministry_user: User) -> None:
    permissions.require_ministry(ministry_user)
    with pytest.raises(PermissionDenied, match=str(permissions.ERROR_MINISTRY_ONLY)):
        permissions.require_ministry(coordinator)


def test_lecturer_manages_only_sessions_they_give(lecturer: User, resident: User) -> None:
    assert permissions.can_manage_lecture(
        lecturer, lecturer_user_ids={lecturer.pk}, region_code="500000"
    )
    assert not permissions.can_manage_lecture(
        lecturer, lecturer_user_ids={resident.pk}, region_code="500000"
    )
    with pytest.raises(PermissionDenied):
        permissions.require_lecture_manager(
            lecturer, lecturer_user_ids={resident.pk}, region_code="500000"
        )


def test_coordinator_manages_lectures_of_their_region_only(coordinator: User) -> None:
    assert permissions.can_manage_lecture(
        coordinator, lecturer_user_ids=set(), region_code="110000"
    )
    assert not permissions.can_manage_lecture(
        coordinator, lecturer_user_ids=set(), region_code="310000"
    )
    assert not permissions.can_manage_lecture(
        coordinator, lecturer_user_ids=set(), region_code=None
    )
