"""State changes of the statistics table: the header, adjusting a cell (with a written reason),
submitting (a frozen snapshot of every cell) and the Ministry reopening a submitted table.

Keyword-only functions, one transaction each, permission first (`accounts.permissions`), every
input checked before anything is stored; errors are `ValidationError`s whose messages name the
cell (in the attachment's words) and say what would be right.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_ministry, require_ministry, require_region_manager
from events.models import StatisticsAdjustment, StatisticsSubmission, StatisticsTable
from events.statistics.compute import CELLS, CONTACT_LABELS, Cell, cell
from events.statistics.selectors import RegionStatistics, region_statistics
from scheduling.models import CampaignYear, Region

MAX_REASON = 500
ERROR_UNKNOWN_CELL = _(
    "The table has no cell “%(cell)s”; name one of its cells, such as "
    "themed_reading.county_participants or header.county_cities."
)
ERROR_NOT_A_NUMBER = _(
    "%(cell)s: “%(value)s” is not a whole number; enter digits only, such as 1200."
)
ERROR_NEGATIVE = _("%(cell)s: %(value)s is negative; enter 0 or more.")
ERROR_TOO_LARGE = _(
    "%(cell)s: %(value)s is more than %(limit)s, which no region reaches in a year; "
    "check the figure."
)
ERROR_YES_NO = _("%(cell)s: “%(value)s” is not yes or no; enter 1 (是, yes) or 0 (否, no).")
ERROR_REASON_REQUIRED = _(
    "%(cell)s: say why the figure differs from the computed %(computed)s "
    "(for example: events not entered on the platform)."
)
ERROR_REASON_TOO_LONG = _("The reason is %(length)s characters long; keep it within %(max)s.")
ERROR_LOCKED = _(
    "%(region)s's table for %(year)s was submitted on %(when)s and is locked; "
    "ask the Ministry to reopen it to change %(cell)s."
)
ERROR_ALREADY_SUBMITTED = _(
    "%(region)s's table for %(year)s was already submitted on %(when)s; "
    "the Ministry can reopen it if it must change."
)
ERROR_AFTER_DEADLINE = _(
    "The statistics table of %(year)s was due by %(deadline)s; only the Ministry can reopen it."
)
ERROR_NOT_SUBMITTED = _(
    "%(region)s's table for %(year)s is not submitted; there is nothing to reopen."
)
ERROR_REOPEN_REASON = _("Say why the table is reopened; the region's coordinators will read it.")
ERROR_UNKNOWN_REGION = _("There is no region %(code)s; use one of the 37 six-digit codes.")
ERROR_HEADER_TOO_LONG = _("%(field)s is too long: at most %(max)s characters.")
ERROR_HEADER_MISSING = _("%(field)s is part of the table's header; fill it in before submitting.")

HEADER_LIMITS: dict[str, int] = {
    key: getattr(StatisticsTable._meta.get_field(key), "max_length", 0) for key in CONTACT_LABELS
}


def _moment(value: Any) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _locked_error(stats: RegionStatistics, field: str, cell_label: str) -> ValidationError:
    assert stats.submission is not None
    return ValidationError(
        {
            field: [
                str(
                    ERROR_LOCKED
                    % {
                        "region": stats.region.name,
                        "year": stats.campaign_year.year,
                        "when": _moment(stats.submission.submitted_at),
                        "cell": cell_label,
                    }
                )
            ]
        }
    )


def _require_open(actor: Any, stats: RegionStatistics) -> None:
    """Coordinators write before the deadline, or after it once the Ministry reopened the
    table; the Ministry always."""
    if is_ministry(actor) or stats.reopened:
        return
    deadline = stats.campaign_year.statistics_deadline
    if timezone.now() > deadline:
        raise PermissionDenied(
            ERROR_AFTER_DEADLINE % {"year": stats.campaign_year.year, "deadline": _moment(deadline)}
        )


def _stats_for_update(campaign_year: CampaignYear, region_code: str) -> RegionStatistics:
    """The region's table row, created if need be and locked for this transaction, so two
    writes to one table take turns (a submission never misses an adjustment)."""
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": [str(ERROR_UNKNOWN_REGION % {"code": region_code})]})
    table, _created = StatisticsTable.objects.get_or_create(
        campaign_year=campaign_year, region=region
    )
    StatisticsTable.objects.select_for_update().filter(pk=table.pk).first()
    return region_statistics(campaign_year, region)


def parse_value(target: Cell, raw: int | str) -> int:
    """A cell's figure from what was typed (or sent): whole, not negative, believable."""
    label = target.label
    if isinstance(raw, bool):
        raw = int(raw)
    text = raw.strip() if isinstance(raw, str) else str(raw)
    if target.is_yes_no and text.lower() in ("yes", "是", "true"):
        return 1
    if target.is_yes_no and text.lower() in ("no", "否", "false"):
        return 0
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        message = ERROR_YES_NO if target.is_yes_no else ERROR_NOT_A_NUMBER
        raise ValidationError({"value": [str(message % {"cell": label, "value": text[:40]})]})
    # Far too many digits to be a figure at all: say so without converting them.
    number = int(digits) if len(digits) <= 18 else target.limit + 1
    shown = f"{number:,}" if len(digits) <= 18 else f"{digits[:12]}…"
    if text.startswith("-") and number:
        raise ValidationError(
            {"value": [str(ERROR_NEGATIVE % {"cell": label, "value": text[:20]})]}
        )
    if target.is_yes_no and number > 1:
        raise ValidationError({"value": [str(ERROR_YES_NO % {"cell": label, "value": text})]})
    if number > target.limit:
        raise ValidationError(
            {
                "value": [
                    str(
                        ERROR_TOO_LARGE
                        % {"cell": label, "value": shown, "limit": f"{target.limit:,}"}
                    )
                ]
            }
        )
    return number


def _known_cell(key: str) -> Cell:
    found = cell(key)
    if found is None:
        raise ValidationError({"cell": [str(ERROR_UNKNOWN_CELL % {"cell": str(key)[:60]})]})
    return found


@transaction.atomic
def statistics_adjust(
    *,
    actor: Any,
    campaign_year: CampaignYear,
    region_code: str,
    cell_key: str,
    value: int | str,
    reason: str,
) -> StatisticsAdjustment:
    """Set one cell by hand. The computed figure of this moment is kept beside it."""
    require_region_manager(actor, region_code)
    target = _known_cell(cell_key)
    number = parse_value(target, value)
    reason = (reason or "").strip()
    stats = _stats_for_update(campaign_year, region_code)
    _require_open(actor, stats)
    if stats.locked:
        raise _locked_error(stats, "value", target.label)
    computed = stats.computed.get(cell_key, 0)
    if not reason:
        raise ValidationError(
            {"reason": [str(ERROR_REASON_REQUIRED % {"cell": target.label, "computed": computed})]}
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": [str(ERROR_REASON_TOO_LONG % {"length": len(reason), "max": MAX_REASON})]}
        )
    assert stats.table is not None
    adjustment, _created = StatisticsAdjustment.objects.update_or_create(
        table=stats.table,
        cell=cell_key,
        defaults={
            "computed_value": computed,
            "value": number,
            "reason": reason,
            "adjusted_by": actor,
            "adjusted_at": timezone.now(),
        },
    )
    return adjustment


@transaction.atomic
def statistics_adjustment_clear(
    *, actor: Any, campaign_year: CampaignYear, region_code: str, cell_key: str
) -> None:
    """Let a cell follow the events again (drop its adjustment)."""
    require_region_manager(actor, region_code)
    target = _known_cell(cell_key)
    stats = _stats_for_update(campaign_year, region_code)
    _require_open(actor, stats)
    if stats.locked:
        raise _locked_error(stats, "cell", target.label)
    StatisticsAdjustment.objects.filter(table=stats.table, cell=cell_key).delete()


@transaction.atomic
def statistics_header_update(
    *, actor: Any, campaign_year: CampaignYear, region_code: str, **header: str
) -> StatisticsTable:
    """The header's contact person, department and phones."""
    require_region_manager(actor, region_code)
    unknown = set(header) - set(CONTACT_LABELS)
    if unknown:
        raise TypeError(f"unknown header fields: {sorted(unknown)}")
    cleaned = {key: (value or "").strip() for key, value in header.items()}
    errors = {
        key: [str(ERROR_HEADER_TOO_LONG % {"field": CONTACT_LABELS[key], "max": limit})]
        for key, limit in HEADER_LIMITS.items()
        if len(cleaned.get(key, "")) > limit
    }
    if errors:
        raise ValidationError(errors)
    stats = _stats_for_update(campaign_year, region_code)
    _require_open(actor, stats)
    if stats.locked:
        raise _locked_error(stats, "contact_name", CONTACT_LABELS["contact_name"])
    table = stats.table
    assert table is not None
    for key, value in cleaned.items():
        setattr(table, key, value)
    table.updated_by = actor
    table.save()
    return table


@transaction.atomic
def statistics_submit(
    *, actor: Any, campaign_year: CampaignYear, region_code: str
) -> StatisticsSubmission:
    """Submit the table: every cell frozen (computed and submitted value, any adjustment)."""
    require_region_manager(actor, region_code)
    stats = _stats_for_update(campaign_year, region_code)
    _require_open(actor, stats)
    if stats.locked:
        assert stats.submission is not None
        raise ValidationError(
            ERROR_ALREADY_SUBMITTED
            % {
                "region": stats.region.name,
                "year": campaign_year.year,
                "when": _moment(stats.submission.submitted_at),
            }
        )
    missing = {
        key: [str(ERROR_HEADER_MISSING % {"field": label})]
        for key, label in CONTACT_LABELS.items()
        if key in ("contact_name", "office_phone") and not stats.header[key]
    }
    if missing:
        raise ValidationError(missing)
    current = stats.current
    cells: dict[str, dict[str, Any]] = {}
    for key in CELLS:
        entry: dict[str, Any] = {"computed": stats.computed.get(key, 0), "value": current[key]}
        adjustment = stats.adjustments.get(key)
        if adjustment is not None:
            entry.update(
                reason=adjustment.reason,
                adjusted_by=str(adjustment.adjusted_by or ""),
                adjusted_at=adjustment.adjusted_at.isoformat(),
            )
        cells[key] = entry
    number = (stats.submission.number if stats.submission else 0) + 1
    assert stats.table is not None
    return StatisticsSubmission.objects.create(
        table=stats.table,
        number=number,
        cells=cells,
        header=stats.header,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def statistics_reopen(
    *, actor: Any, campaign_year: CampaignYear, region_code: str, reason: str
) -> StatisticsSubmission:
    """The Ministry unlocks a submitted table; the snapshot stays, marked reopened."""
    require_ministry(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [str(ERROR_REOPEN_REASON)]})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": [str(ERROR_REASON_TOO_LONG % {"length": len(reason), "max": MAX_REASON})]}
        )
    stats = _stats_for_update(campaign_year, region_code)
    submission = stats.submission
    if submission is None or not stats.locked:
        raise ValidationError(
            ERROR_NOT_SUBMITTED % {"region": stats.region.name, "year": campaign_year.year}
        )
    submission.reopened_by = actor
    submission.reopened_at = timezone.now()
    submission.reopen_reason = reason
    submission.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    return submission
