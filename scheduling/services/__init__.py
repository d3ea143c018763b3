"""Every state change of the campaign year: open a year, edit weeks, apply, allocate, publish.

Plain functions with keyword arguments, one transaction each, checked against who acts
(`accounts.permissions`), raising `ValidationError` / `PermissionDenied` / `AllocationConflict`.
"""

from scheduling.services.allocation import (
    AllocationConflict,
    allocation_run,
    pin_clear,
    pin_set,
    version_notify,
    version_publish,
)
from scheduling.services.applications import application_submit
from scheduling.services.years import (
    campaign_year_open,
    campaign_year_update,
    day_override_set,
    week_update,
)

__all__ = [
    "AllocationConflict",
    "allocation_run",
    "application_submit",
    "campaign_year_open",
    "campaign_year_update",
    "day_override_set",
    "pin_clear",
    "pin_set",
    "version_notify",
    "version_publish",
    "week_update",
]
