"""Schemathesis over the whole OpenAPI schema, signed in as each role: whatever the input, the
API never answers 5xx, and every answer is one the schema documents (status code, content type,
headers and body).

Each operation × role is one test; Hypothesis draws a bounded, derandomized number of requests
(valid and invalid data). Path parameters are mostly those of objects seeded here
(a year with its weeks, applications, runs and a version; events; lecturers, series and sessions
in every state; nominations), so the calls reach real objects and their rules, not only 404s.
Requests go straight into the Django WSGI app, in the test's own transaction.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import time_machine
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import override_settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role, User
from events.models import EventStatus, Level, Nomination, ReviewStatus, WorkPlan
from lecture_hall.models import Lecturer, Series, Session
from lecture_hall.services import (
    series_create,
    session_cancel,
    session_create,
    session_publish,
)
from scheduling.models import CampaignYear, PublishedVersion
from scheduling.services import (
    allocation_run,
    application_submit,
    campaign_year_open,
    pin_set,
    version_publish,
)
from tests.factories import EventFactory, LecturerFactory, NominationFactory, UserFactory

# How many requests Hypothesis draws per operation and role (the schema has no examples of its
# own to replay), valid and invalid ones.
MAX_EXAMPLES = 10
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Before the 2027 application deadline (30 November 2026), so coordinators' writes are open.
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
ROLES = ("anonymous", "resident", "lecturer", "coordinator", "ministry")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261102,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # Each role signs in with its own session cookie (below); the generated cases must
            # not add or drop the schema's `sessionid` cookie on their own.
            "with-security-parameters": False,
            # Unknown query parameters and body fields are ignored, as by most web APIs (a
            # cache-buster must not break a call): they are not invalid input here.
            "allow-extra-parameters": False,
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # Literals found in the app's code are spliced into generated requests, also into ones
        # meant to be invalid, which then count as "invalid data accepted"; the seeded ids
        # (`flatmap_case`) already lead requests to real objects.
        "analysis": {"constants": {"enabled": False}},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)

# Filled by the `world` fixture: values of seeded objects per path parameter name.
KNOWN: dict[str, list[Any]] = {}
# Calls made, by operation, by role and by (valid or invalid request, status code);
# tests/api/conftest.py reports them.
CALLS: Counter[str] = Counter()
ROLE_CALLS: Counter[str] = Counter()
STATUSES: Counter[tuple[str, int]] = Counter()


@schema.hook
def flatmap_case(context: Any, case: Case) -> Any:
    """A quarter of the time, the generated path parameters; otherwise those of seeded objects.
    Only for valid requests: a request meant to be invalid keeps the invalid value it drew."""
    known = {name: KNOWN[name] for name in case.path_parameters or {} if KNOWN.get(name)}
    if not known or case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return st.just(case)

    def seeded(values: dict[str, Any]) -> Case:
        case.path_parameters = {**case.path_parameters, **values}
        return case

    ids = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
    return st.integers(0, 3).flatmap(lambda draw: ids.map(seeded) if draw else st.just(case))


def _pdf() -> ContentFile[bytes]:
    return ContentFile(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "plan.pdf"
    )


def _seed() -> dict[str, User]:
    """A campaign year in progress and the people who work on it."""
    ministry = UserFactory(role=Role.MINISTRY, is_staff=True)
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="110000")
    chongqing = UserFactory(role=Role.COORDINATOR, region_id="500000")
    resident = UserFactory(role=Role.RESIDENT)
    teacher: Lecturer = LecturerFactory(name="王教授")
    colleague: Lecturer = LecturerFactory(name="李老师")

    year = campaign_year_open(actor=ministry, year=2027)
    weeks = list(
        year.weeks.filter(blocked=False).order_by("number").values_list("number", flat=True)
    )
    codes = ["110000", "310000", "500000", "440000", "510000"]
    for i, code in enumerate(codes):
        application_submit(
            actor=ministry,
            campaign_year=year,
            region_code=code,
            ranked_weeks=[weeks[i * 3], weeks[i * 3 + 1]],
            avoided_weeks=[weeks[-1]],
            theme=f"{code}学习周",
            contact_name="联系人",
        )
    run = allocation_run(actor=ministry, campaign_year=year, check_stale=False)
    version_publish(actor=ministry, campaign_year=year, run=run, note="第一版")
    pin_set(actor=ministry, campaign_year=year, region_code="310000", week_number=weeks[20])
    allocation_run(actor=ministry, campaign_year=year, check_stale=False)

    WorkPlan.objects.create(
        campaign_year=year,
        region_id="500000",
        title="重庆活动方案",
        document=_pdf(),
        status=ReviewStatus.SUBMITTED,
        submitted_by=chongqing,
    )
    for code, status in (("110000", ReviewStatus.SUBMITTED), ("500000", ReviewStatus.ACCEPTED)):
        NominationFactory(campaign_year=year, region_id=code, status=status, submitted_by=ministry)

    past = NOW - dt.timedelta(days=20)
    soon = NOW + dt.timedelta(days=10)
    for code in ("110000", "500000", None):
        level = Level.PROVINCIAL if code else Level.NATIONAL
        EventFactory(
            region_id=code, level=level, starts_at=past, ends_at=past + dt.timedelta(hours=2)
        )
        EventFactory(
            region_id=code, level=level, starts_at=soon, ends_at=soon + dt.timedelta(hours=3)
        )
    EventFactory(
        region_id="110000",
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
        status=EventStatus.CANCELLED,
        cancel_reason="场地维修",
    )

    series = series_create(
        actor=teacher.user,
        title="健康老龄化",
        description="每周一讲",
        region_code="500000",
        lecturer_ids=[teacher.pk],
    )
    series_create(
        actor=ministry, title="家庭教育", region_code="110000", lecturer_ids=[colleague.pk]
    )

    def session(lecturer: Lecturer, start: dt.datetime, **extra: Any) -> Session:
        return session_create(
            actor=ministry,
            title="讲座",
            starts_at=start,
            duration_minutes=90,
            lecturer_ids=[lecturer.pk],
            stream_url="https://live.example.cn/s/1",
            **extra,
        )

    # A session that has started (published before it began) and one that has taken place.
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        started = session(teacher, NOW - dt.timedelta(minutes=30), series=series)
        session_publish(actor=ministry, session=started, expected_version=None)
    session(teacher, NOW + dt.timedelta(days=7))  # a draft
    published = session(teacher, NOW + dt.timedelta(days=14), series=series)
    session_publish(actor=ministry, session=published, expected_version=None)
    other = session(colleague, NOW + dt.timedelta(days=8), region_code="110000")
    session_publish(actor=ministry, session=other, expected_version=None)
    cancelled = session(colleague, NOW + dt.timedelta(days=9))
    session_publish(actor=ministry, session=cancelled, expected_version=None)
    session_cancel(actor=ministry, session=cancelled, expected_version=None, reason="讲师生病")

    return {
        "resident": resident,
        "lecturer": teacher.user,
        "coordinator": coordinator,
        "ministry": ministry,
    }


def _known_ids() -> dict[str, list[Any]]:
    """Path parameter values of seeded objects, typed as the schema types them (the year is an
    integer; ids, week and version numbers are digit strings, as the URLs match them)."""
    from events.models import Event

    year = CampaignYear.objects.get(year=2027)
    versions = PublishedVersion.objects.filter(campaign_year=year).values_list("number", flat=True)
    ids = {
        *Event.objects.values_list("pk", flat=True),
        *Session.objects.values_list("pk", flat=True),
        *Series.objects.values_list("pk", flat=True),
        *Lecturer.objects.values_list("pk", flat=True),
        *Nomination.objects.values_list("pk", flat=True),
        *year.runs.values_list("pk", flat=True),
    }
    return {
        "year": [2027],
        "region_code": ["110000", "500000", "310000"],
        "code": ["110000", "500000"],
        "number": [str(n) for n in sorted({1, 12, 52, *versions})],
        "id": [str(pk) for pk in sorted(ids)],
    }


def _signed_in(user: User) -> dict[str, dict[str, str]]:
    """A session cookie and a CSRF token for `user`, as a browser holding the page would send."""
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token, "Accept-Language": "en"},
    }


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, dict[str, dict[str, str]]]]:
    """The seeded data, once for the module, in a transaction rolled back at its end (each test
    runs in a savepoint inside it); the clock stands still at NOW, so every run asks the same
    questions of the same data; uploads go to a temporary folder."""
    media = tmp_path_factory.mktemp("media")
    # As Django's test client does: the WSGI app must not close the database connection at the
    # start and end of each request, which would end the transaction the test runs in.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        people = _seed()
        KNOWN.update(_known_ids())
        auth = {role: _signed_in(user) for role, user in people.items()}
        auth["anonymous"] = {"cookies": {}, "headers": {"Accept-Language": "en"}}
        yield auth
        transaction.set_rollback(True)
    KNOWN.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_api(case: Any, role: str, world: dict[str, dict[str, dict[str, str]]]) -> None:
    """No 5xx, and an answer the schema documents, whoever asks and whatever they send."""
    auth = world[role]
    response = case.call_and_validate(
        headers=auth["headers"], cookies=auth["cookies"], checks=CHECKS
    )
    CALLS[case.operation.label] += 1
    ROLE_CALLS[role] += 1
    mode = "valid" if case.meta.generation.mode == GenerationMode.POSITIVE else "invalid"
    STATUSES[mode, response.status_code] += 1
