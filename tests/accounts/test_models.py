"""The account rules the database itself keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import ERROR_COORDINATOR_NEEDS_REGION, Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_coordinator_without_region_is_refused_by_validation() -> None:
    user = User(username="c1", role=Role.COORDINATOR)
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean(exclude=["password"])
    assert str(ERROR_COORDINATOR_NEEDS_REGION) in excinfo.value.message_dict["region"]


def test_coordinator_without_region_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="c2", role=Role.COORDINATOR)
    assert not User.objects.filter(username="c2").exists()


def test_coordinator_with_region_is_saved() -> None:
    user = UserFactory(role=Role.COORDINATOR, region_id="440000")
    user.full_clean(exclude=["password"])
    assert user.region is not None
    assert user.region.short_name_zh == "广东"


def test_resident_with_region_is_refused() -> None:
    user = User(username="r1", role=Role.RESIDENT, region_id="110000")
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean(exclude=["password"])
    assert "region" in excinfo.value.message_dict


def test_unknown_region_is_refused_by_the_database() -> None:
    def create_with_unknown_region() -> None:
        with transaction.atomic():
            User.objects.create(username="c3", role=Role.COORDINATOR, region_id="999999")
            connection.check_constraints()  # foreign keys are otherwise checked at commit

    with pytest.raises(IntegrityError):
        create_with_unknown_region()
    assert not User.objects.filter(username="c3").exists()
