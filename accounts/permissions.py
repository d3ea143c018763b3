"""Who may do what: the one place every service asks before it writes.

Each check takes the acting user and the plain ids of what is touched, so any layer can use it
without importing the others. A refused check raises `PermissionDenied` with a message that
says what the user may do instead.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

ERROR_NOT_SIGNED_IN = _("Sign in first.")
ERROR_MINISTRY_ONLY = _("Only Ministry staff may do this.")
ERROR_OTHER_REGION = _(
    "You coordinate region %(own)s; you cannot change anything of region %(other)s."
)
ERROR_NOT_A_COORDINATOR = _("Only the region's coordinators or Ministry staff may do this.")
ERROR_NOT_YOUR_SESSION = _("You may change only your own sessions and series.")
ERROR_RESIDENTS_ONLY = _(
    "Only residents ask to become lecturers: coordinators and Ministry staff create lecturer "
    "accounts themselves, and lecturers already have one."
)


def is_ministry(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.role == Role.MINISTRY or user.is_superuser
    )


def can_manage_region(user: Any, region_code: str) -> bool:
    """Ministry staff manage every region; a coordinator only their own."""
    if is_ministry(user):
        return True
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.role == Role.COORDINATOR
        and user.region_id == region_code
    )


def can_manage_lecture(user: Any, *, lecturer_user_ids: set[int], region_code: str | None) -> bool:
    """A lecturer manages their own sessions; a coordinator those of their region; Ministry all."""
    if is_ministry(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.COORDINATOR:
        return region_code is not None and user.region_id == region_code
    return user.role == Role.LECTURER and user.pk in lecturer_user_ids


def require_signed_in(user: Any) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(ERROR_NOT_SIGNED_IN)


def may_request_lecturer_role(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        not is_ministry(user) and user.role == Role.RESIDENT
    )


def require_resident(user: Any) -> None:
    """A resident's own steps towards another role (asking to become a lecturer): approving
    one would change the user's role, so staff and lecturers never take them."""
    require_signed_in(user)
    if not may_request_lecturer_role(user):
        raise PermissionDenied(ERROR_RESIDENTS_ONLY)


def require_ministry(user: Any) -> None:
    require_signed_in(user)
    if not is_ministry(user):
        raise PermissionDenied(ERROR_MINISTRY_ONLY)


def require_region_manager(user: Any, region_code: str) -> None:
    require_signed_in(user)
    if can_manage_region(user, region_code):
        return
    if user.role == Role.COORDINATOR:
        raise PermissionDenied(ERROR_OTHER_REGION % {"own": user.region_id, "other": region_code})
    raise PermissionDenied(ERROR_NOT_A_COORDINATOR)


def require_lecture_manager(
    user: Any, *, lecturer_user_ids: set[int], region_code: str | None
) -> None:
    require_signed_in(user)
    if not can_manage_lecture(user, lecturer_user_ids=lecturer_user_ids, region_code=region_code):
        raise PermissionDenied(ERROR_NOT_YOUR_SESSION)
