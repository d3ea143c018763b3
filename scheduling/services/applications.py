"""A region's application for its Learning Week: checked against the year, then stored whole."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_ministry, require_region_manager
from scheduling.allocator import MAX_RANKS
from scheduling.models import ApplicationWeek, CampaignState, CampaignYear, Week, WeekApplication

ERROR_TOO_MANY_RANKS = _("Rank at most %(max)s weeks; you ranked %(count)s.")
ERROR_NO_RANKS = _("Rank at least one week you would like.")
ERROR_RANKED_TWICE = _("Week %(week)s is ranked more than once; rank each week once.")
ERROR_WEEK_OUTSIDE_YEAR = _("Week %(week)s is not in %(year)s: choose a week from 1 to %(last)s.")
ERROR_WEEK_BLOCKED = _("Week %(week)s (%(dates)s) is closed: %(reason)s. Choose an open week.")
ERROR_WANTED_AND_AVOIDED = _("Week %(week)s is both ranked and avoided; keep it in one list only.")
ERROR_AVOIDS_EVERYTHING = _("You avoid every open week; leave at least one week possible.")
ERROR_DEADLINE_PASSED = _(
    "Applications for %(year)s closed at %(deadline)s; only the Ministry can change them now."
)
ERROR_NOT_OPEN = _("Campaign year %(year)s has been published; applications can no longer change.")


def _week_errors(
    campaign_year: CampaignYear, ranked: Sequence[int], avoid: Sequence[int]
) -> dict[str, list[str]]:
    weeks = {w.number: w for w in campaign_year.weeks.all()}
    last = max(weeks) if weeks else 0
    errors: dict[str, list[str]] = {"ranked_weeks": [], "avoided_weeks": []}
    year = campaign_year.year

    def describe(week: Week) -> str:
        start = date_format(week.starts_on, "SHORT_DATE_FORMAT")
        return f"{start}–{date_format(week.ends_on, 'SHORT_DATE_FORMAT')}"

    if not ranked:
        errors["ranked_weeks"].append(str(ERROR_NO_RANKS))
    if len(ranked) > MAX_RANKS:
        errors["ranked_weeks"].append(
            ERROR_TOO_MANY_RANKS % {"max": MAX_RANKS, "count": len(ranked)}
        )
    seen: set[int] = set()
    for number in ranked:
        if number in seen:
            errors["ranked_weeks"].append(ERROR_RANKED_TWICE % {"week": number})
        seen.add(number)
        week = weeks.get(number)
        if week is None:
            errors["ranked_weeks"].append(
                ERROR_WEEK_OUTSIDE_YEAR % {"week": number, "year": year, "last": last}
            )
        elif not week.is_open:
            reason = week.block_reason or _("capacity 0")
            errors["ranked_weeks"].append(
                ERROR_WEEK_BLOCKED % {"week": number, "dates": describe(week), "reason": reason}
            )
    for number in sorted(set(avoid)):
        if number not in weeks:
            errors["avoided_weeks"].append(
                ERROR_WEEK_OUTSIDE_YEAR % {"week": number, "year": year, "last": last}
            )
        if number in seen:
            errors["avoided_weeks"].append(ERROR_WANTED_AND_AVOIDED % {"week": number})
    open_weeks = {n for n, w in weeks.items() if w.is_open}
    if open_weeks and open_weeks <= set(avoid):
        errors["avoided_weeks"].append(str(ERROR_AVOIDS_EVERYTHING))
    return {field: messages for field, messages in errors.items() if messages}


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    campaign_year: CampaignYear,
    region_code: str,
    ranked_weeks: Sequence[int],
    avoided_weeks: Sequence[int] = (),
    theme: str,
    description: str = "",
    contact_name: str,
    contact_phone: str = "",
    contact_email: str = "",
) -> WeekApplication:
    """Create or replace a region's application; nothing is stored unless all of it is valid."""
    require_region_manager(actor, region_code)
    campaign_year = CampaignYear.objects.select_for_update().get(pk=campaign_year.pk)
    if not is_ministry(actor):
        if campaign_year.state == CampaignState.PUBLISHED:
            raise PermissionDenied(ERROR_NOT_OPEN % {"year": campaign_year.year})
        if timezone.now() > campaign_year.applications_deadline:
            deadline = date_format(
                timezone.localtime(campaign_year.applications_deadline), "DATETIME_FORMAT"
            )
            raise PermissionDenied(
                ERROR_DEADLINE_PASSED % {"year": campaign_year.year, "deadline": deadline}
            )
    ranked = [int(w) for w in ranked_weeks]
    avoid = sorted({int(w) for w in avoided_weeks})
    errors = _week_errors(campaign_year, ranked, avoid)
    application = WeekApplication.objects.filter(
        campaign_year=campaign_year, region_id=region_code
    ).first() or WeekApplication(campaign_year=campaign_year, region_id=region_code)
    application.theme = theme.strip()
    application.description = description.strip()
    application.contact_name = contact_name.strip()
    application.contact_phone = contact_phone.strip()
    application.contact_email = contact_email.strip()
    application.submitted_by = actor
    try:
        application.full_clean(exclude=["campaign_year", "region", "submitted_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    application.save()
    application.weeks.all().delete()
    ApplicationWeek.objects.bulk_create(
        [
            ApplicationWeek(application=application, week_number=n, rank=i)
            for i, n in enumerate(ranked, 1)
        ]
        + [ApplicationWeek(application=application, week_number=n, rank=None) for n in avoid]
    )
    return application
