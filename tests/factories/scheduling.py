"""Factories for scheduling: published allocations built through the real services."""

from accounts.models import User
from scheduling.models import CampaignYear, PublishedVersion
from scheduling.services import (
    allocation_run,
    application_submit,
    campaign_year_open,
    version_publish,
)


def published_year(
    ministry: User, year: int = 2027, weeks: dict[str, int] | None = None
) -> tuple[CampaignYear, PublishedVersion]:
    """A campaign year whose published version puts each given region in the given week (each
    region ranks exactly that week first); regions not named get any free week."""
    campaign_year = CampaignYear.objects.filter(year=year).first() or campaign_year_open(
        actor=ministry, year=year
    )
    for code, week in (weeks or {"110000": 12}).items():
        application_submit(
            actor=ministry, campaign_year=campaign_year, region_code=code,
            ranked_weeks=[week], avoided_weeks=[], theme=f"{code}学习周", contact_name="联系人",
        )  # fmt: skip
    run = allocation_run(actor=ministry, campaign_year=campaign_year, check_stale=False)
    return campaign_year, version_publish(actor=ministry, campaign_year=campaign_year, run=run)
