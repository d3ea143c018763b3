"""Lecturer accounts: created by the Ministry or a coordinator, or requested and approved."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.permissions import (
    can_manage_region,
    is_ministry,
    require_resident,
    require_signed_in,
)
from lecture_hall.images import clean_picture
from lecture_hall.models import Lecturer, LecturerStatus

ERROR_MANAGE_LECTURERS = _("Only the Ministry or the region's coordinators manage its lecturers.")
ERROR_ALREADY_LECTURER = _("You already have a lecturer profile.")
PROFILE_FIELDS = ("name", "title", "organisation", "biography")


def _require_lecturer_manager(actor: Any, region_code: str | None) -> None:
    require_signed_in(actor)
    if is_ministry(actor) or (region_code and can_manage_region(actor, region_code)):
        return
    raise PermissionDenied(ERROR_MANAGE_LECTURERS)


def _profile_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = [str(_("This field is required."))]
    return errors


@transaction.atomic
def lecturer_create(
    *,
    actor: Any,
    username: str,
    email: str,
    region_code: str | None,
    photo: UploadedFile | None = None,
    **profile: str,
) -> Lecturer:
    """Create a lecturer's account and profile (Ministry: any region; coordinator: theirs)."""
    _require_lecturer_manager(actor, region_code)
    errors = _profile_errors(profile)
    if User.objects.filter(username=username).exists():
        errors["username"] = [str(_("The user name %(name)s is taken.") % {"name": username})]
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        email=email,
        role=Role.LECTURER,
        region_id=region_code,
        display_name=profile.get("name", ""),
    )
    user.set_unusable_password()  # they choose one through "forgotten password"
    user.full_clean(exclude=["password"])
    user.save()
    lecturer = Lecturer(
        user=user,
        region_id=region_code,
        status=LecturerStatus.APPROVED,
        **{k: (profile.get(k) or "").strip() for k in PROFILE_FIELDS},
    )
    if photo is not None:
        lecturer.photo = clean_picture(photo, field="photo")
    lecturer.full_clean(exclude=["user", "photo"])
    lecturer.save()
    return lecturer


@transaction.atomic
def lecturer_request(*, actor: Any, region_code: str | None, **profile: str) -> Lecturer:
    """A signed-in resident asks to become a lecturer; the Ministry or coordinator decides."""
    require_resident(actor)
    if Lecturer.objects.filter(user=actor).exists():
        raise ValidationError(ERROR_ALREADY_LECTURER)
    errors = _profile_errors(profile)
    if errors:
        raise ValidationError(errors)
    lecturer = Lecturer(
        user=actor,
        region_id=region_code,
        status=LecturerStatus.REQUESTED,
        **{k: (profile.get(k) or "").strip() for k in PROFILE_FIELDS},
    )
    lecturer.full_clean(exclude=["user", "photo"])
    lecturer.save()
    return lecturer


@transaction.atomic
def lecturer_decide(*, actor: Any, lecturer: Lecturer, approve: bool) -> Lecturer:
    _require_lecturer_manager(actor, lecturer.region_id)
    lecturer.status = LecturerStatus.APPROVED if approve else LecturerStatus.REFUSED
    lecturer.save(update_fields=["status"])
    if approve:
        user = lecturer.user
        user.role = Role.LECTURER
        user.region_id = lecturer.region_id
        user.save(update_fields=["role", "region"])
    return lecturer


@transaction.atomic
def lecturer_update(
    *, actor: Any, lecturer: Lecturer, photo: UploadedFile | None = None, **profile: str
) -> Lecturer:
    """The lecturer edits their own profile; managers of their region may too."""
    require_signed_in(actor)
    if actor.pk != lecturer.user_id:
        _require_lecturer_manager(actor, lecturer.region_id)
    data = {k: (v or "").strip() for k, v in profile.items() if k in PROFILE_FIELDS}
    errors = _profile_errors({"name": lecturer.name, **data})
    if errors:
        raise ValidationError(errors)
    for key, value in data.items():
        setattr(lecturer, key, value)
    if photo is not None:
        lecturer.photo = clean_picture(photo, field="photo")
    lecturer.full_clean(exclude=["user", "photo"])
    lecturer.save()
    return lecturer
