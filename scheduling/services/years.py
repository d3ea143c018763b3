"""Opening a campaign year and shaping its weeks: capacities, blocks, holiday overrides."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import require_ministry
from scheduling.models import CampaignYear, DayKindChoice, DayOverride, Week
from scheduling.yearcal import DayKind, Override, weeks_in_year, year_bounds, year_shape

MAX_CAPACITY = 37


def _at_shanghai_end_of_day(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(23, 59, 59), tzinfo=timezone.get_default_timezone())


def default_deadlines(year: int) -> dict[str, dt.datetime]:
    """The notice's yearly pattern, moved to the year before for applications and the plan."""
    return {
        "applications_deadline": _at_shanghai_end_of_day(dt.date(year - 1, 11, 30)),
        "plan_deadline": _at_shanghai_end_of_day(dt.date(year - 1, 12, 31)),
        "nomination_deadline": _at_shanghai_end_of_day(dt.date(year, 7, 20)),
        "statistics_deadline": _at_shanghai_end_of_day(dt.date(year, 11, 28)),
    }


def _overrides(campaign_year: CampaignYear) -> dict[dt.date, Override]:
    return {o.date: Override(DayKind(o.kind), o.name) for o in campaign_year.day_overrides.all()}


def _refresh_weeks(campaign_year: CampaignYear) -> None:
    """Recompute holiday blocks; weeks the Ministry set by hand keep what it said."""
    shape = year_shape(campaign_year.year, _overrides(campaign_year))
    existing = {w.number: w for w in campaign_year.weeks.all()}
    for ws in shape:
        week = existing.get(ws.number) or Week(campaign_year=campaign_year, number=ws.number)
        week.starts_on, week.ends_on = ws.starts_on, ws.ends_on
        if not week.manual:
            week.blocked = ws.is_golden
            week.block_reason = ws.golden_zh or ""
        week.save()


@transaction.atomic
def campaign_year_open(*, actor: Any, year: int, **deadlines: dt.datetime) -> CampaignYear:
    """Create a campaign year with its 52 or 53 ISO weeks, golden weeks blocked."""
    require_ministry(actor)
    if not 2024 <= year <= 2100:
        raise ValidationError(
            {"year": _("The campaign runs from 2024; choose a year from 2024 to 2100.")}
        )
    already_open = ValidationError(
        {"year": _("Campaign year %(year)s is already open.") % {"year": year}}
    )
    if CampaignYear.objects.filter(year=year).exists():
        raise already_open
    values = {**default_deadlines(year), **deadlines}
    campaign_year = CampaignYear(year=year, **values)
    campaign_year.full_clean()
    try:
        with transaction.atomic():
            campaign_year.save()
    except IntegrityError:  # opened by someone else between the check and now
        raise already_open from None
    _refresh_weeks(campaign_year)
    return campaign_year


@transaction.atomic
def campaign_year_update(*, actor: Any, campaign_year: CampaignYear, **fields: Any) -> CampaignYear:
    """Change deadlines or the theme (the Ministry only)."""
    require_ministry(actor)
    allowed = {
        "theme",
        "applications_deadline",
        "plan_deadline",
        "nomination_deadline",
        "statistics_deadline",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(unknown)}
        )
    for name, value in fields.items():
        setattr(campaign_year, name, value)
    campaign_year.full_clean()
    campaign_year.save()
    return campaign_year


ERROR_WEEK_NOT_IN_YEAR = gettext_lazy(
    "Week %(week)s is not in %(year)s: its weeks run from 1 to %(last)s."
)
ERROR_CAPACITY_RANGE = gettext_lazy(
    "A week holds from 0 to %(max)s regions; %(capacity)s is not allowed."
)


@transaction.atomic
def week_update(
    *,
    actor: Any,
    campaign_year: CampaignYear,
    number: int,
    capacity: int | None = None,
    blocked: bool | None = None,
    block_reason: str | None = None,
) -> Week:
    """Set a week's capacity or block it by hand; a hand-made setting survives recomputation."""
    require_ministry(actor)
    last = weeks_in_year(campaign_year.year)
    if not 1 <= number <= last:
        raise ValidationError(
            {
                "number": ERROR_WEEK_NOT_IN_YEAR
                % {"week": number, "year": campaign_year.year, "last": last}
            }
        )
    week = Week.objects.select_for_update().get(campaign_year=campaign_year, number=number)
    if capacity is not None:
        if not 0 <= capacity <= MAX_CAPACITY:
            raise ValidationError(
                {"capacity": ERROR_CAPACITY_RANGE % {"max": MAX_CAPACITY, "capacity": capacity}}
            )
        week.capacity = capacity
    if blocked is not None:
        week.blocked = blocked
        week.block_reason = (block_reason or "").strip()
        if blocked and not week.block_reason:
            raise ValidationError({"block_reason": _("Say why the week is blocked.")})
    week.manual = True
    week.full_clean()
    week.save()
    return week


@transaction.atomic
def day_override_set(
    *, actor: Any, campaign_year: CampaignYear, date: dt.date, kind: str, name: str = ""
) -> DayOverride | None:
    """Mark a day as holiday, make-up working day or ordinary day; weeks are recomputed."""
    require_ministry(actor)
    first, last = year_bounds(campaign_year.year)
    if not first <= date <= last:
        raise ValidationError(
            {
                "date": _("%(date)s is outside campaign year %(year)s (%(first)s to %(last)s).")
                % {"date": date, "year": campaign_year.year, "first": first, "last": last}
            }
        )
    if kind not in DayKindChoice.values:
        raise ValidationError(
            {"kind": _("Choose holiday, workday or normal; %(kind)r is not one.") % {"kind": kind}}
        )
    override, _created = DayOverride.objects.update_or_create(
        campaign_year=campaign_year, date=date, defaults={"kind": kind, "name": name.strip()}
    )
    _refresh_weeks(campaign_year)
    return override
