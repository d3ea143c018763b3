"""Seed the ASGI server's database for the lecturer's and the resident's journeys: two lecturers
with a talk each that is live now, a series with a talk in two days' evening, and a resident; print
their ids as JSON (everyone signs in with tests.factories.accounts.PASSWORD).

Run in the server's environment: python -m tests.e2e.journey_seed
"""

import datetime as dt
import json

import django

SERIES = "健康老龄化系列"
LIVE_TALK = "健康老龄化第1讲：运动与饮食"
NEXT_TALK = "健康老龄化第2讲：社会参与"
PANEL_TALK = "老年人智能手机入门"


def main() -> None:
    django.setup()
    import time_machine
    from django.utils import timezone

    from accounts.models import Role
    from lecture_hall.models import Lecturer, Series
    from lecture_hall.services import series_create, session_create, session_publish
    from tests.factories import LecturerFactory, UserFactory

    now = timezone.now().replace(second=0, microsecond=0)
    health = LecturerFactory(name="王教授", user__username="journey-health")
    phones = LecturerFactory(
        name="李老师", user__username="journey-lecturer", user__display_name="李老师"
    )
    UserFactory(role=Role.RESIDENT, username="journey-resident", display_name="张阿姨")
    series = series_create(
        actor=health.user,
        title=SERIES,
        description="如何在晚年保持身心健康。",
        region_code="500000",
        lecturer_ids=[health.pk],
    )

    def talk(lecturer: Lecturer, title: str, starts_at: dt.datetime, s: Series | None) -> int:
        # Created the day before, as a lecturer would (a session cannot start in the past).
        with time_machine.travel(min(now, starts_at) - dt.timedelta(days=1), tick=False):
            session = session_create(
                actor=lecturer.user, title=title, abstract="社区老年大学公开课。",
                starts_at=starts_at, duration_minutes=120, lecturer_ids=[lecturer.pk],
                series=s, stream_url="https://live.example.cn/journey",
            )  # fmt: skip
            session = session_publish(actor=lecturer.user, session=session, expected_version=1)
        return session.pk

    # Two days out, so "1 day before" is still to come at any hour the tests run (the reminder
    # form offers only times that have not passed).
    later = timezone.localdate() + dt.timedelta(days=2)
    evening = dt.datetime.combine(later, dt.time(19, 0), tzinfo=timezone.get_default_timezone())
    print(
        json.dumps(
            {
                "live": talk(health, LIVE_TALK, now - dt.timedelta(minutes=10), series),
                "next": talk(health, NEXT_TALK, evening, series),
                "panel": talk(phones, PANEL_TALK, now - dt.timedelta(minutes=5), None),
                "series": series.pk,
            }
        )
    )


if __name__ == "__main__":
    main()
