"""Demo lecture hall, the year: 50 lecturers, 40 series and 400 sessions over the campaign year
(a tenth of them already held, in the year before), some rescheduled and some cancelled. Future
sessions go through the real services; past ones, which the services refuse to create, are
written with their calendar event as the services would have left them."""

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from accounts.models import Role, User
from config.progress import stage
from events.models import EventStatus
from events.services import lecture_event_sync
from lecture_hall.models import Lecturer, LecturerStatus, Series, Session, SessionState
from lecture_hall.services import (
    session_cancel,
    session_create,
    session_publish,
    session_reschedule,
)

TITLES = ["教授", "副教授", "研究员", "高级讲师", "特级教师", "主任医师"]
ORGANISATIONS = [
    "国家开放大学",
    "社区学院",
    "老年大学",
    "师范大学",
    "市图书馆",
    "市人民医院",
    "科技馆",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建华", "丽娟", "志强", "秀英", "海燕", "文博", "晓明", "雅琴", "国庆", "春梅"]
TOPICS = [
    ("健康老龄化", "如何在晚年保持身心健康：运动、饮食与社会参与。"),
    ("家庭教育", "父母如何陪伴孩子成长，建设学习型家庭。"),
    ("数字生活", "智能手机、移动支付与防范电信诈骗。"),
    ("传统文化", "从诗词、书法到非物质文化遗产。"),
    ("职业技能", "新就业形态下的技能提升与终身学习。"),
    ("科学素养", "身边的科学：天气、能源与人工智能。"),
    ("心理健康", "压力管理与情绪调节的实用方法。"),
    ("法律常识", "与日常生活相关的民法典知识。"),
]


SERIES_COUNT = 40


def seed_lecture_hall(progress: Callable[[str], None], *, sessions_wanted: int = 400) -> None:
    if Session.objects.exists():
        progress("lecture hall: already there, left as it is")
        return
    rng = random.Random(2027)  # noqa: S311 - demo data, reproducible on purpose
    users = list(User.objects.filter(role=Role.LECTURER).order_by("username"))
    with stage(progress, "lecturers and series", len(users) + SERIES_COUNT) as bar:
        lecturers, series_list = _lecturers_and_series(rng, users, bar.advance)
        bar.summary = f"{len(lecturers)} lecturers, {len(series_list)} series"
    with stage(progress, "sessions", sessions_wanted) as bar:
        counts = _sessions(rng, series_list, sessions_wanted, bar.advance)
        bar.summary = (
            f"{counts['ended']} held, {counts['published']} published, "
            f"{counts['rescheduled']} rescheduled, {counts['cancelled']} cancelled"
        )


def _lecturers_and_series(
    rng: random.Random, users: list[User], done: Callable[[], None]
) -> tuple[list[Lecturer], list[Series]]:
    lecturers = []
    for i, user in enumerate(users):
        lecturers.append(
            Lecturer.objects.create(
                user=user,
                name=f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i % len(GIVEN)]}",
                title=rng.choice(TITLES),
                organisation=rng.choice(ORGANISATIONS),
                region_id=user.region_id,
                biography="长期从事社区教育与终身学习研究，主讲多门线上公开课。",
                status=LecturerStatus.APPROVED,
            )
        )
        done()
    series_list = []
    for i in range(SERIES_COUNT):
        lecturer = lecturers[i % len(lecturers)]
        topic, description = TOPICS[i % len(TOPICS)]
        series = Series.objects.create(
            title=f"{topic}系列讲座（{i // len(TOPICS) + 1}）",
            description=description,
            region_id=lecturer.region_id,
            created_by=lecturer.user,
        )
        series.lecturers.set([lecturer])
        series_list.append(series)
        done()
    return lecturers, series_list


def _sessions(
    rng: random.Random, series_list: list[Series], sessions_wanted: int, done: Callable[[], None]
) -> dict[str, int]:
    now = timezone.now()
    tz = timezone.get_default_timezone()
    year_start = dt.datetime(2027, 1, 4, tzinfo=tz)
    counts = {"ended": 0, "published": 0, "rescheduled": 0, "cancelled": 0}
    for n in range(sessions_wanted):
        done()
        series = series_list[n % len(series_list)]
        lecturer = series.lecturers.get()
        # Each series meets weekly on its own weekday and hour, through the year.
        start = year_start + dt.timedelta(
            weeks=(n // len(series_list)) * 5 + (n % 5), days=n % 7, hours=rng.choice([9, 14, 19])
        )
        start = start - dt.timedelta(days=400) if n % 9 == 0 else start  # some in late 2025/2026
        topic = series.title.split("系列")[0]
        title = f"{topic}：第{n // len(series_list) + 1}讲"
        if start < now:  # held already (or, by chance, live now)
            over = start + dt.timedelta(minutes=90) <= now
            held_session(
                series=series,
                lecturer=lecturer,
                title=title,
                starts_at=start,
                minutes=90,
                key=f"lectures/{n}",
                state=SessionState.ENDED if over else SessionState.PUBLISHED,
            )
            counts["ended"] += 1
            continue
        session = session_create(
            actor=lecturer.user,
            title=title,
            abstract=series.description,
            series=series,
            starts_at=start,
            duration_minutes=rng.choice([60, 90, 90, 120]),
            lecturer_ids=[lecturer.pk],
            stream_url=f"https://live.example.cn/lectures/{n}",
        )
        session = session_publish(
            actor=lecturer.user, session=session, expected_version=session.version
        )
        counts["published"] += 1
        if n % 17 == 3:
            session = session_reschedule(
                actor=lecturer.user,
                session=session,
                expected_version=session.version,
                starts_at=session.starts_at + dt.timedelta(days=1),
                reason="讲师时间调整，顺延一天",
            )
            counts["rescheduled"] += 1
        elif n % 23 == 5:
            session_cancel(
                actor=lecturer.user,
                session=session,
                expected_version=session.version,
                reason="因故取消，敬请谅解",
            )
            counts["cancelled"] += 1
    return counts


def held_session(
    *,
    series: Series,
    lecturer: Lecturer,
    title: str,
    starts_at: dt.datetime,
    minutes: int,
    key: str,
    state: str,
) -> Session:
    """A session that already started (ended, or live now) with its calendar event, written
    directly: the services refuse to publish a start in the past, rightly, for real users."""
    event = lecture_event_sync(
        event=None,
        title=title,
        description=series.description,
        region_code=series.region_id,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        online_url=f"https://live.example.cn/{key}",
        status=EventStatus.CONFIRMED,
        organiser=lecturer.name,
        tags=[f"lecturer:{lecturer.pk}", f"series:{series.pk}"],
    )
    session = Session.objects.create(
        title=title,
        abstract=series.description,
        series=series,
        region_id=series.region_id,
        starts_at=starts_at,
        duration_minutes=minutes,
        stream_url=event.online_url,
        replay_url=f"https://replay.example.cn/{key}" if state == SessionState.ENDED else "",
        state=state,
        event=event,
        created_by=lecturer.user,
    )
    session.lecturers.set([lecturer])
    return session
