"""Pages of API lists (the project's DRF default): `limit` and `offset` checked, not guessed.

Outside `scheduling.api`, whose package imports DRF's views: DRF reads the default pagination
class while its generic views are being imported."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import LimitOffsetPagination

ERROR_PAGE_PARAMETER = _("Give “%(name)s” as a whole number from %(minimum)s to %(maximum)s.")


class CheckedLimitOffsetPagination(LimitOffsetPagination):
    """Pages by `limit` and `offset`; a value that is not a whole number in range is refused
    (400) naming the parameter, where DRF would silently read it as the default."""

    max_limit = 1000
    max_offset = 10**9

    def _checked(self, request: Any, name: str, minimum: int, maximum: int) -> None:
        raw = request.query_params.get(name)
        if raw is None:
            return
        value = int(raw) if raw.isascii() and raw.isdigit() else None
        if value is None or not minimum <= value <= maximum:
            raise ValidationError(
                {
                    name: [
                        ERROR_PAGE_PARAMETER
                        % {"name": name, "minimum": minimum, "maximum": maximum}
                    ]
                }
            )

    def get_limit(self, request: Any) -> int | None:
        self._checked(request, self.limit_query_param, 1, self.max_limit)
        return super().get_limit(request)

    def get_offset(self, request: Any) -> int:
        self._checked(request, self.offset_query_param, 0, self.max_offset)
        return super().get_offset(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: (1, self.max_limit),
            self.offset_query_param: (0, self.max_offset),
        }
        for parameter in parameters:
            minimum, maximum = bounds[parameter["name"]]
            parameter["schema"] = {**parameter["schema"], "minimum": minimum, "maximum": maximum}
        return parameters
