"""Seed a server database for the live room's real-server tests: a lecturer, a resident, a
talk live now, one later today and a draft; print their ids and session cookies as JSON.

Run in the server's environment: python -m tests.lecture_hall.live.seed_server
"""

import datetime as dt
import json

import django


def main() -> None:
    django.setup()
    import time_machine
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Role
    from lecture_hall.services import session_create, session_publish
    from tests.factories import LecturerFactory, UserFactory
    from tests.factories.accounts import PASSWORD

    now = timezone.now().replace(microsecond=0)
    teacher = LecturerFactory(name="王教授", user__username="live-teacher")
    resident = UserFactory(role=Role.RESIDENT, username="live-resident")

    def make(title: str, starts_at: dt.datetime, publish: bool = True) -> int:
        with time_machine.travel(starts_at - dt.timedelta(days=1), tick=False):
            session = session_create(
                actor=teacher.user, title=title, starts_at=starts_at, duration_minutes=120,
                lecturer_ids=[teacher.pk], stream_url="https://live.example.cn/live",
            )  # fmt: skip
            if publish:
                session = session_publish(actor=teacher.user, session=session, expected_version=1)
        return session.pk

    def cookie(user: object) -> str:
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        return client.cookies["sessionid"].value

    print(
        json.dumps(
            {
                "live": make("家庭教育与终身学习", now - dt.timedelta(minutes=10)),
                "later": make("老年智能手机课", now + dt.timedelta(hours=3)),
                "draft": make("草稿讲座", now + dt.timedelta(hours=5), publish=False),
                "teacher_user": teacher.user.pk,
                "resident_user": resident.pk,
                "teacher_cookie": cookie(teacher.user),
                "resident_cookie": cookie(resident),
                "password": PASSWORD,
                "teacher_username": teacher.user.username,
            }
        )
    )


if __name__ == "__main__":
    main()
