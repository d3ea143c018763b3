"""What the events endpoints share beyond `scheduling.api.base` (whose error handling, input
checking and campaign-year lookup they use): who may write, the region a write is for, and the
parsers of uploads."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request

from accounts.permissions import (
    is_ministry,
    require_ministry,
    require_region_manager,
    require_signed_in,
)
from scheduling.api.base import ERROR_UNKNOWN_REGION
from scheduling.models import Region

# Uploads come as multipart forms; the small JSON bodies of reviews may come either way.
UPLOAD_PARSERS = (MultiPartParser, FormParser)
FORM_OR_JSON_PARSERS = (JSONParser, MultiPartParser, FormParser)

ERROR_REGION_FOR_MINISTRY = _(
    "Ministry staff act for one region at a time: give its six-digit code in “region”."
)


def require_event_writer(user: Any, region_code: str | None) -> None:
    """Who may change an event of this region (None: a national event, the Ministry's).
    Asked before the body is read, so a refusal never depends on the input."""
    if region_code is None:
        require_ministry(user)
    else:
        require_region_manager(user, region_code)


def require_event_author(user: Any) -> None:
    """Who may enter events at all (which region is the service's to check): the Ministry
    and region coordinators."""
    require_signed_in(user)
    if not is_ministry(user):
        require_region_manager(user, getattr(user, "region_id", None) or "")


def region_in(request: Request) -> str | None:
    """The `region` field of an upload's form, read before the form is checked."""
    data = request.data
    code = data.get("region") if isinstance(data, Mapping) else None
    return code if isinstance(code, str) else None


def target_region(user: Any, code: str | None) -> str:
    """The region an upload is for: the code given, or a coordinator's own. Who may is asked
    before the region is looked up, so an unknown code is 400 only for those who may write."""
    if not code:
        if is_ministry(user):
            raise ValidationError({"region": [str(ERROR_REGION_FOR_MINISTRY)]})
        code = getattr(user, "region_id", None) or ""
    require_region_manager(user, code)
    if not Region.objects.filter(code=code).exists():
        raise ValidationError({"region": [str(ERROR_UNKNOWN_REGION % {"code": code})]})
    return code
