"""Series (courses): a title, lecturers, an optional region and cover."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.permissions import require_lecture_manager
from lecture_hall.images import clean_picture
from lecture_hall.models import Lecturer, LecturerStatus, Series

ERROR_NO_LECTURER = _("Choose at least one approved lecturer.")


def lecturers_by_id(ids: Sequence[int], field: str = "lecturer_ids") -> list[Lecturer]:
    lecturers = list(Lecturer.objects.filter(pk__in=ids, status=LecturerStatus.APPROVED))
    missing = sorted(set(ids) - {lecturer.pk for lecturer in lecturers})
    if missing:
        raise ValidationError({field: [str(_("Unknown lecturer(s): %(ids)s.") % {"ids": missing})]})
    if not lecturers:
        raise ValidationError({field: [str(ERROR_NO_LECTURER)]})
    return lecturers


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
    if not title.strip():
        raise ValidationError({"title": [str(_("This field is required."))]})
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
    current = {lecturer.user_id for lecturer in series.lecturers.all()}
    require_lecture_manager(actor, lecturer_user_ids=current, region_code=series.region_id)
    new_lecturers = lecturers_by_id(lecturer_ids) if lecturer_ids is not None else None
    if new_lecturers is not None:
        # As for a session: a lecturer may add colleagues but not hand the series away.
        require_lecture_manager(
            actor,
            lecturer_user_ids={lecturer.user_id for lecturer in new_lecturers},
            region_code=series.region_id,
        )
    for key in ("title", "description"):
        if key in fields:
            setattr(series, key, (fields[key] or "").strip())
    if not series.title:
        raise ValidationError({"title": [str(_("This field is required."))]})
    if cover is not None:
        series.cover = clean_picture(cover, field="cover")
    series.full_clean(exclude=["cover"])
    series.save()
    if new_lecturers is not None:
        series.lecturers.set(new_lecturers)
    return series
