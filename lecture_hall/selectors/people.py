"""Read queries about lecturers: who may edit a profile, the requests a manager decides, a
profile to edit and one's own profile."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Role
from accounts.permissions import can_manage_region, is_ministry, require_signed_in
from lecture_hall.models import Lecturer, LecturerStatus
from lecture_hall.services.lecturers import ERROR_MANAGE_LECTURERS
from scheduling.models import Region


def _lecturer_may_edit(viewer: Any, lecturer: Lecturer) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.pk == lecturer.user_id or is_ministry(viewer):
        return True
    return lecturer.region_id is not None and can_manage_region(viewer, lecturer.region_id)


# --- Managing lecturers ---------------------------------------------------------------------


def lecturer_manager_regions(*, actor: Any) -> QuerySet[Region]:
    """The regions whose lecturers the actor manages: all for the Ministry, a coordinator's
    own; PermissionDenied for anyone else."""
    require_signed_in(actor)
    if is_ministry(actor):
        return Region.objects.order_by("code")
    if actor.role == Role.COORDINATOR and actor.region_id:
        return Region.objects.filter(code=actor.region_id)
    raise PermissionDenied(ERROR_MANAGE_LECTURERS)


def lecturer_requests(*, actor: Any) -> QuerySet[Lecturer]:
    """Requests to become a lecturer that the actor may decide, oldest first."""
    regions = lecturer_manager_regions(actor=actor)
    requests = Lecturer.objects.filter(status=LecturerStatus.REQUESTED)
    if not is_ministry(actor):
        requests = requests.filter(region__in=regions)
    return requests.select_related("region", "user").order_by("created_at", "id")


def managed_lecturer(*, actor: Any, pk: int) -> Lecturer:
    """A lecturer profile to edit: the lecturer themselves, the Ministry, or the coordinators
    of the lecturer's region."""
    require_signed_in(actor)
    lecturer = Lecturer.objects.select_related("region").get(pk=pk)
    if not _lecturer_may_edit(actor, lecturer):
        raise PermissionDenied(ERROR_MANAGE_LECTURERS)
    return lecturer


def own_lecturer_profile(*, actor: Any) -> Lecturer | None:
    """The actor's lecturer profile whatever its status (a request shows as pending)."""
    require_signed_in(actor)
    return Lecturer.objects.filter(user_id=actor.pk).select_related("region").first()
