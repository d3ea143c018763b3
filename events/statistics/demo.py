"""Demo statistics tables, made through the services: every region's header filled, a few cells
adjusted with a reason, about half of the regions submitted (one of them reopened by the
Ministry), so the national view shows submitted and open tables side by side."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from config.progress import stage
from events.models import StatisticsTable
from events.statistics.services import (
    statistics_adjust,
    statistics_header_update,
    statistics_reopen,
    statistics_submit,
)
from scheduling.models import CampaignYear, Region

DEPARTMENTS = ("职业教育与成人教育处", "终身教育处", "社区教育指导中心")
ADJUSTMENTS = (
    (
        "themed_reading.county_activities",
        12,
        "县级图书馆的读书月活动未在平台录入，按县区报表补充。",
    ),
    ("digital_reading.prefecture_participants", 1500, "线上征文活动的参与人次来自合作平台统计。"),
)


def _actor(region: Region, ministry: User) -> Any:
    """The region's demo coordinator before the deadline, else the Ministry (always allowed)."""
    coordinator = User.objects.filter(role=Role.COORDINATOR, region=region).order_by("id").first()
    return coordinator or ministry


def seed_statistics(campaign_year: CampaignYear, progress: Callable[[str], None]) -> int:
    """Fill and submit some regions' tables; returns how many were submitted. Running it again
    changes nothing."""
    if StatisticsTable.objects.filter(campaign_year=campaign_year).exists():
        progress("statistics tables: already there, left as they are")
        return 0
    ministry = User.objects.filter(role=Role.MINISTRY).order_by("id").first()
    if ministry is None:
        progress("statistics tables: no Ministry account, skipped")
        return 0
    before_deadline = timezone.now() <= campaign_year.statistics_deadline
    submitted = 0
    regions = list(Region.objects.order_by("code"))
    with stage(progress, f"statistics {campaign_year.year}", len(regions)) as bar:
        for i, region in enumerate(regions):
            actor = _actor(region, ministry) if before_deadline else ministry
            statistics_header_update(
                actor=actor,
                campaign_year=campaign_year,
                region_code=region.code,
                contact_name=f"{region.short_name_zh}联络员",
                contact_department=DEPARTMENTS[i % len(DEPARTMENTS)],
                office_phone=f"0{10 + i:02d}-6609{i:04d}",
                mobile=f"139{i:08d}",
            )
            if i % 5 == 0:
                cell_key, value, reason = ADJUSTMENTS[i % 2]
                statistics_adjust(
                    actor=actor,
                    campaign_year=campaign_year,
                    region_code=region.code,
                    cell_key=cell_key,
                    value=value,
                    reason=reason,
                )
            if i % 2 == 0:
                statistics_submit(actor=actor, campaign_year=campaign_year, region_code=region.code)
                submitted += 1
                if i == 4:
                    statistics_reopen(
                        actor=ministry,
                        campaign_year=campaign_year,
                        region_code=region.code,
                        reason="县级参加人次与去年相比差异较大，请核实后重新报送。",
                    )
                    submitted -= 1
            bar.advance()
        bar.summary = f"{len(regions)} tables, {submitted} submitted, 1 reopened, the rest drafts"
    return submitted
