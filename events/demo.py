"""Demo calendar: a few thousand events over every region, type and level, with plans and
nominations — enough that the calendar, coverage and statistics look like a real year."""

import datetime as dt
import random
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from config.progress import stage
from events.models import (
    ActivityType,
    Event,
    EventSource,
    EventStatus,
    Level,
    Nomination,
    NominationKind,
    ReviewStatus,
    WorkPlan,
)
from scheduling.models import CampaignYear, Region
from scheduling.selectors import latest_version
from scheduling.yearcal import week_bounds

# A few real prefecture-level cities and counties per region (municipalities: districts).
PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "110000": (("海淀区", "朝阳区", "东城区"), ("延庆区", "密云区")),
    "120000": (("和平区", "南开区", "滨海新区"), ("蓟州区", "宁河区")),
    "130000": (("石家庄市", "保定市", "唐山市"), ("正定县", "涿州市")),
    "140000": (("太原市", "大同市", "晋中市"), ("平遥县", "五台县")),
    "150000": (("呼和浩特市", "包头市", "鄂尔多斯市"), ("准格尔旗", "阿尔山市")),
    "210000": (("沈阳市", "鞍山市", "锦州市"), ("新民市", "盘山县")),
    "220000": (("长春市", "吉林市", "延边州"), ("安图县", "梅河口市")),
    "230000": (("哈尔滨市", "齐齐哈尔市", "牡丹江市"), ("五常市", "漠河市")),
    "310000": (("浦东新区", "徐汇区", "黄浦区"), ("崇明区", "金山区")),
    "320000": (("南京市", "苏州市", "扬州市"), ("昆山市", "江阴市")),
    "330000": (("杭州市", "温州市", "绍兴市"), ("安吉县", "义乌市")),
    "340000": (("合肥市", "芜湖市", "黄山市"), ("黟县", "肥西县")),
    "350000": (("福州市", "泉州市", "漳州市"), ("晋江市", "武夷山市")),
    "360000": (("南昌市", "赣州市", "九江市"), ("婺源县", "井冈山市")),
    "370000": (("济南市", "烟台市", "潍坊市"), ("曲阜市", "寿光市")),
    "410000": (("郑州市", "洛阳市", "开封市"), ("登封市", "林州市")),
    "420000": (("武汉市", "宜昌市", "襄阳市"), ("恩施市", "仙桃市")),
    "430000": (("长沙市", "株洲市", "岳阳市"), ("韶山市", "凤凰县")),
    "440000": (("广州市", "佛山市", "东莞市"), ("增城区", "英德市")),
    "450000": (("南宁市", "桂林市", "柳州市"), ("阳朔县", "凭祥市")),
    "460000": (("海口市", "三亚市", "儋州市"), ("琼海市", "文昌市")),
    "500000": (("渝中区", "江北区", "万州区"), ("石柱县", "巫山县")),
    "510000": (("成都市", "绵阳市", "宜宾市"), ("都江堰市", "阆中市")),
    "520000": (("贵阳市", "遵义市", "安顺市"), ("雷山县", "赤水市")),
    "530000": (("昆明市", "大理州", "丽江市"), ("腾冲市", "建水县")),
    "540000": (("拉萨市", "日喀则市", "林芝市"), ("江孜县", "波密县")),
    "610000": (("西安市", "宝鸡市", "延安市"), ("韩城市", "洛川县")),
    "620000": (("兰州市", "天水市", "酒泉市"), ("敦煌市", "临洮县")),
    "630000": (("西宁市", "海东市", "海西州"), ("贵德县", "格尔木市")),
    "640000": (("银川市", "石嘴山市", "吴忠市"), ("青铜峡市", "中宁县")),
    "650000": (("乌鲁木齐市", "克拉玛依市", "伊犁州"), ("库车市", "伊宁县")),
    "660000": (
        ("第一师阿拉尔市", "第八师石河子市", "第六师五家渠市"),
        ("第二师铁门关市", "第四师可克达拉市"),
    ),
    "210200": (("中山区", "沙河口区", "甘井子区"), ("瓦房店市", "庄河市")),
    "370200": (("市南区", "崂山区", "黄岛区"), ("即墨区", "平度市")),
    "330200": (("海曙区", "鄞州区", "北仑区"), ("余姚市", "象山县")),
    "350200": (("思明区", "湖里区", "集美区"), ("同安区", "翔安区")),
    "440300": (("福田区", "南山区", "龙岗区"), ("光明区", "大鹏新区")),
}
TITLES = {
    ActivityType.THEMED_READING: [
        "“书香{place}”读书月",
        "家庭亲子共读会",
        "社区读书节开幕式",
        "经典诵读大赛",
    ],
    ActivityType.PUBLISHER_RECOMMENDS: ["社长总编荐好书", "出版社编辑面对面", "好书推荐分享会"],
    ActivityType.LECTURE_HALL: [
        "社会大讲堂：健康生活",
        "社会大讲堂：家庭教育",
        "社会大讲堂：数字素养",
        "老年大学公开课",
    ],
    ActivityType.DIGITAL_READING: [
        "数字阅读分享沙龙",
        "电子书导读会",
        "线上征文颁奖",
        "数字图书馆使用培训",
    ],
    ActivityType.LEARNING_WEEK: [
        "全民终身学习活动周开幕式",
        "百姓学习之星事迹分享",
        "终身学习品牌项目展",
        "社区教育成果展",
    ],
}
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EVENTS_PER_REGION = 80
# Themed reading is the most common activity; lecture hall sessions come from the lecture hall.
DEMO_TYPE_MIX = [
    ActivityType.THEMED_READING,
    ActivityType.PUBLISHER_RECOMMENDS,
    ActivityType.DIGITAL_READING,
    ActivityType.LECTURE_HALL,
    ActivityType.THEMED_READING,
]


SUMMARIES = {
    NominationKind.LEARNING_STAR: "扎根社区，带动身边人共同学习，事迹突出。",
    NominationKind.BRAND_PROJECT: "持续多年的终身学习品牌，覆盖城乡居民。",
}


def _event(
    rng: random.Random,
    region: Region,
    index: int,
    start: dt.datetime,
    activity_type: str,
    *,
    year: int,
) -> Event:
    cities, counties = PLACES.get(region.code, (("市区",), ("县城",)))
    level = rng.choices([Level.PROVINCIAL, Level.PREFECTURE, Level.COUNTY], [2, 5, 3])[0]
    city = (
        ""
        if level == Level.PROVINCIAL
        else rng.choice(cities if level == Level.PREFECTURE else counties)
    )
    title = rng.choice(TITLES[ActivityType(activity_type)]).format(place=region.short_name_zh)
    online = activity_type in (ActivityType.LECTURE_HALL, ActivityType.DIGITAL_READING)
    ends = start + dt.timedelta(hours=rng.choice([1, 2, 2, 3]))
    past = ends < timezone.now()
    return Event(
        title=f"{city or region.short_name_zh}{title}",
        description="面向全体市民开放，欢迎参加。",
        activity_type=activity_type,
        level=level,
        region=region,
        city=city,
        venue="" if online else rng.choice(["图书馆报告厅", "社区学院", "文化馆", "老年大学"]),
        online_url=f"https://live.example.cn/{region.code}/{year}/{index}" if online else "",
        starts_at=start,
        ends_at=ends,
        status=EventStatus.CANCELLED if rng.random() < 0.02 else EventStatus.CONFIRMED,
        organiser=f"{region.short_name_zh}教育厅",
        participants=rng.randint(30, 2500) if past and rng.random() < 0.9 else None,
        participants_recorded_at=timezone.now() if past else None,
        source=EventSource.IMPORTED,
        import_key=_import_key(year, region.code, index),
    )


def _random_start(rng: random.Random, year: int, activity_type: str) -> dt.datetime:
    tz = timezone.get_default_timezone()
    if activity_type in (
        ActivityType.THEMED_READING,
        ActivityType.PUBLISHER_RECOMMENDS,
        ActivityType.DIGITAL_READING,
    ):
        month = rng.randint(6, 11) if rng.random() < 0.7 else rng.randint(1, 12)  # reading season
    else:
        month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    return dt.datetime(
        year, month, day, rng.choice([9, 10, 14, 15, 19]), rng.choice([0, 30]), tzinfo=tz
    )


def _import_key(year: int, region_code: str, index: int) -> str:
    # 2027's keys predate the second demo year: kept, so existing demo databases stay as they are.
    return f"demo-{region_code}-{index}" if year == 2027 else f"demo-{year}-{region_code}-{index}"


def seed_events(
    campaign_year: CampaignYear,
    progress: Callable[[str], None],
    *,
    per_region: int = EVENTS_PER_REGION,
) -> int:
    """A year of events in every region (`per_region` of the four reading and lecture types,
    plus a dense Learning Week); safe to run again."""
    year = campaign_year.year
    first = dt.datetime(year, 1, 1, tzinfo=timezone.get_default_timezone())
    if Event.objects.filter(
        import_key__startswith="demo-",
        starts_at__gte=first,
        starts_at__lt=first.replace(year=year + 1),
    ).exists():
        progress(f"events {year}: already there, left as they are")
        return 0
    rng = random.Random(campaign_year.year)  # noqa: S311 - demo data, reproducible on purpose
    version = latest_version(campaign_year)
    weeks = dict(version.assignments.values_list("region_id", "week_number")) if version else {}
    tz = timezone.get_default_timezone()
    regions = list(Region.objects.all())
    total = 0
    with stage(progress, f"events {year}", len(regions) * (per_region + 14)) as bar:
        for region in regions:
            events: list[Event] = []
            index = 0
            for _ in range(per_region):
                activity_type = rng.choice(DEMO_TYPE_MIX)
                events.append(
                    _event(
                        rng,
                        region,
                        index,
                        _random_start(rng, campaign_year.year, activity_type),
                        activity_type,
                        year=year,
                    )
                )
                index += 1
            if region.code in weeks:  # the region's Learning Week: a dense week of events
                monday, _sunday = week_bounds(campaign_year.year, weeks[region.code])
                for day in range(7):
                    for hour in (9, 14):
                        start = dt.datetime.combine(
                            monday + dt.timedelta(days=day), dt.time(hour), tzinfo=tz
                        )
                        events.append(
                            _event(rng, region, index, start, ActivityType.LEARNING_WEEK, year=year)
                        )
                        index += 1
            Event.objects.bulk_create(events, batch_size=1000)
            total += len(events)
            bar.advance(len(events))
        bar.summary = f"{total} events: {len(regions)} regions, five types, three levels"
    return total


def seed_submissions(
    campaign_year: CampaignYear, ministry: User, progress: Callable[[str], None]
) -> None:
    if Nomination.objects.filter(campaign_year=campaign_year).exists():
        progress("plans and nominations: already there")
        return
    rng = random.Random(campaign_year.year + 1)  # noqa: S311 - demo data
    nominations = []
    regions = list(Region.objects.all())
    with stage(progress, "plans and nominations", len(regions)) as bar:
        for i, region in enumerate(regions):
            if i % 6 != 5:  # a few regions have not sent their plan yet
                plan = WorkPlan(
                    campaign_year=campaign_year,
                    region=region,
                    title=f"{region.short_name_zh}{campaign_year.year}年全民终身学习活动方案",
                    status=ReviewStatus.ACCEPTED if i % 3 else ReviewStatus.SUBMITTED,
                    submitted_by=ministry,
                )
                plan.document.save(f"plan-{region.code}.pdf", ContentFile(MINIMAL_PDF), save=True)
            for kind, label in (
                (NominationKind.LEARNING_STAR, "学习之星"),
                (NominationKind.BRAND_PROJECT, "品牌项目"),
            ):
                for n in range(rng.choice([2, 3, 4, 5])):
                    nominations.append(
                        Nomination(
                            campaign_year=campaign_year,
                            region=region,
                            kind=kind,
                            name=f"{region.short_name_zh}{label}{n + 1}",
                            summary=SUMMARIES[kind],
                            status=ReviewStatus.ACCEPTED
                            if rng.random() < 0.6
                            else ReviewStatus.SUBMITTED,
                            submitted_by=ministry,
                        )
                    )
            bar.advance()
        Nomination.objects.bulk_create(nominations)
        plans = WorkPlan.objects.filter(campaign_year=campaign_year).count()
        bar.summary = f"{plans} work plans, {len(nominations)} nominations"
