"""Demo campaign years: 2026 (published, last year's history) and 2027 with 37 applications."""

import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from config.progress import Stage, stage
from scheduling.models import CampaignYear, Region, RunStatus
from scheduling.selectors import latest_run, latest_version
from scheduling.services import (
    allocation_run,
    application_submit,
    campaign_year_open,
    version_publish,
)
from scheduling.yearcal import weeks_in_year

THEMES = [
    "全民阅读节", "终身学习嘉年华", "社区教育成果展", "老年大学开放周", "数字素养提升月",
    "职业技能学习周", "乡村振兴学习行", "非遗文化传承周", "家庭教育宣传周", "书香城市建设周",
    "科普学习周", "红色文化学习行", "银龄数字课堂", "市民终身学习节", "读书月",
]  # fmt: skip
DESCRIPTIONS = [
    "以“让学习成为一种生活方式”为主题，组织省市县三级联动的阅读、讲座与成果展示活动。",
    "依托社区学院和老年大学开展线上线下相结合的系列公开课，推出百姓学习之星事迹展。",
    "面向新市民和农村居民开展数字技能与职业技能培训，举办终身学习品牌项目巡展。",
]
# Popular seasons: spring after the Spring Festival, early summer, and September–November.
POPULAR = [*range(10, 20), *range(22, 27), *range(35, 46)]


def _preferences(
    rng: random.Random, last_week: int, closed: set[int]
) -> tuple[list[int], list[int]]:
    open_weeks = [w for w in range(1, last_week + 1) if w not in closed]
    popular = [w for w in POPULAR if w in open_weeks]
    count = rng.choice([3, 4, 5, 5, 5])
    ranked: list[int] = []
    while len(ranked) < count:
        pool = popular if rng.random() < 0.75 else open_weeks
        week = rng.choice(pool)
        if week not in ranked:
            ranked.append(week)
    avoid = sorted(rng.sample([w for w in open_weeks if w not in ranked], rng.choice([0, 1, 2, 3])))
    return ranked, avoid


def seed_year(
    year: int, ministry: User, progress: Callable[[str], None], *, seed: int
) -> CampaignYear:
    campaign_year = CampaignYear.objects.filter(year=year).first()
    if campaign_year is None:
        campaign_year = campaign_year_open(actor=ministry, year=year)
    if latest_version(campaign_year) is not None:
        progress(f"{year}: already published, left as it is")
        return campaign_year
    regions = list(Region.objects.all())
    with stage(progress, f"year {year}", len(regions) + 2) as bar:
        _apply_allocate_publish(campaign_year, ministry, regions, bar, seed=seed)
    return campaign_year


def _apply_allocate_publish(
    campaign_year: CampaignYear, ministry: User, regions: list[Region], bar: Stage, *, seed: int
) -> None:
    """Every region applies (ranked weeks, weeks to avoid, theme); one run; publish v1."""
    year = campaign_year.year
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    closed = set(campaign_year.weeks.filter(blocked=True).values_list("number", flat=True))
    coordinators = {u.region_id: u for u in User.objects.filter(role=Role.COORDINATOR)}
    for i, region in enumerate(regions):
        ranked, avoid = _preferences(rng, weeks_in_year(year), closed)
        coordinator = coordinators.get(region.code)
        actor: Any = ministry
        if coordinator is not None and campaign_year.applications_deadline > timezone.now():
            actor = coordinator
        application_submit(
            actor=actor,
            campaign_year=campaign_year,
            region_code=region.code,
            ranked_weeks=ranked,
            avoided_weeks=avoid,
            theme=f"{region.short_name_zh}{THEMES[(i + seed) % len(THEMES)]}",
            description=DESCRIPTIONS[i % len(DESCRIPTIONS)],
            contact_name=f"{region.short_name_zh}教育厅职成处",
            contact_phone=f"0{10 + i:02d}-6{rng.randrange(1000000, 9999999)}",
            contact_email=f"llw-{region.code}@example.cn",
        )
        bar.advance()
    previous = latest_run(campaign_year)
    run = allocation_run(
        actor=ministry,
        campaign_year=campaign_year,
        expected_latest_run_id=previous.pk if previous else None,
    )
    bar.advance()
    if run.status == RunStatus.SOLVED:
        version_publish(actor=ministry, campaign_year=campaign_year, run=run, note="演示数据")
        bar.summary = (
            f"{len(regions)} applications, allocated (worst rank {run.worst_cost}), published"
        )
    else:
        bar.summary = f"{len(regions)} applications; the run found no allocation: {run.status}"
    bar.advance()


def seed_scheduling(progress: Callable[[str], None]) -> None:
    ministry = User.objects.get(username="ministry")
    seed_year(2026, ministry, progress, seed=2026)
    seed_year(2027, ministry, progress, seed=2027)
