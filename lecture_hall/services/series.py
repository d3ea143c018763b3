"""Series (courses): a title, lecturers, an optional region and cover."""

from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.permissions import is_ministry, require_lecture_manager
from lecture_hall.images import clean_picture
from lecture_hall.models import Lecturer, LecturerStatus, Series

ERROR_NO_LECTURER = _("Choose at least one approved lecturer.")
ERROR_LECTURER_REGION = _(
    "%(name)s is not a lecturer of your region; a coordinator books only their own region's "
    "lecturers."
)
ERROR_TITLE = _("This field is required.")


def lecturers_by_id(ids: Sequence[int], field: str = "lecturer_ids") -> list[Lecturer]:
    lecturers = list(Lecturer.objects.filter(pk__in=ids, status=LecturerStatus.APPROVED))
    missing = sorted(set(ids) - {lecturer.pk for lecturer in lecturers})
    if missing:
        raise ValidationError({field: [str(_("Unknown lecturer(s): %(ids)s.") % {"ids": missing})]})
    if not lecturers:
        raise ValidationError({field: [str(ERROR_NO_LECTURER)]})
    return lecturers


def lecturer_region_errors(
    actor: Any, lecturers: Sequence[Lecturer], kept: Collection[Lecturer] = ()
) -> dict[str, list[str]]:
    """A coordinator names only their region's lecturers on a session or series, besides those
    it already has: another region's lecturer would find their time blocked by the clash check,
    and the talks in their feed, without anyone of theirs having agreed. The Ministry names
    anyone; lecturers are bound by `require_lecture_manager` (they must stay on it)."""
    if is_ministry(actor) or actor.role != Role.COORDINATOR:
        return {}
    messages = [
        str(ERROR_LECTURER_REGION % {"name": lecturer.name})
        for lecturer in lecturers
        if lecturer.region_id != actor.region_id and lecturer not in kept
    ]
    return {"lecturer_ids": messages} if messages else {}


@transaction.atomic
def series_create(
    *,
    actor: Any,
    title: str,
    description: str = "",
    region_code: str | None = None,
    lecturer_ids: Sequence[int],
    cover: UploadedFile | None = None,
) -> Series:
    lecturers = lecturers_by_id(lecturer_ids)
    require_lecture_manager(
        actor,
        lecturer_user_ids={lecturer.user_id for lecturer in lecturers},
        region_code=region_code,
    )
    errors = lecturer_region_errors(actor, lecturers)
    if not title.strip():
        errors["title"] = [str(ERROR_TITLE)]
    if errors:
        raise ValidationError(errors)
    series = Series(
        title=title.strip(),
        description=description.strip(),
        region_id=region_code,
        created_by=actor,
    )
    if cover is not None:
        series.cover = clean_picture(cover, field="cover")
    series.full_clean(exclude=["cover"])
    series.save()
    series.lecturers.set(lecturers)
    return series


@transaction.atomic
def series_update(
    *,
    actor: Any,
    series: Series,
    cover: UploadedFile | None = None,
    lecturer_ids: Sequence[int] | None = None,
    **fields: Any,
) -> Series:
    lecturers = list(series.lecturers.all())
    require_lecture_manager(
        actor,
        lecturer_user_ids={lecturer.user_id for lecturer in lecturers},
        region_code=series.region_id,
    )
    new_lecturers = lecturers_by_id(lecturer_ids) if lecturer_ids is not None else None
    errors: dict[str, list[str]] = {}
    if new_lecturers is not None:
        # As for a session: a lecturer may add colleagues but not hand the series away, and a
        # coordinator adds only their region's lecturers (those it has may stay).
        require_lecture_manager(
            actor,
            lecturer_user_ids={lecturer.user_id for lecturer in new_lecturers},
            region_code=series.region_id,
        )
        errors.update(lecturer_region_errors(actor, new_lecturers, kept=lecturers))
    for key in ("title", "description"):
        if key in fields:
            setattr(series, key, (fields[key] or "").strip())
    if not series.title:
        errors["title"] = [str(ERROR_TITLE)]
    if errors:
        raise ValidationError(errors)
    if cover is not None:
        series.cover = clean_picture(cover, field="cover")
    series.full_clean(exclude=["cover"])
    series.save()
    if new_lecturers is not None:
        series.lecturers.set(new_lecturers)
    return series
