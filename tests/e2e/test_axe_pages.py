"""Every HTML page, as the role that sees it, in Chinese and English, through axe-core: 0
violations, body text at least 18 px, <html lang> naming the language, nothing fetched from
another origin. The pages come from the URL resolver: a GET route that is neither visited here
nor excluded with a reason fails the completeness test, so a new page cannot slip past."""

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.models import Role, User
from accounts.tokens import activation_token
from events.models import ActivityType, DeliveryStatus, Level, ReminderDelivery, ReminderRequest
from events.reminders.services import new_token, reminder_request
from events.services import nomination_review, nomination_submit, plan_submit
from events.statistics.services import statistics_header_update, statistics_submit
from lecture_hall.live.services import attendance_summarize
from lecture_hall.models import Session
from lecture_hall.services import (
    lecturer_request,
    series_create,
    session_cancel,
    session_create,
    session_end,
    session_publish,
    session_reschedule,
)
from scheduling.services import (
    allocation_run,
    application_submit,
    campaign_year_open,
    version_publish,
)
from tests.factories import EventFactory, LecturerFactory, UserFactory
from tests.lecture_hall.live.factories import AttendanceSpanFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

SH = timezone.get_default_timezone()
YEAR = 2027
ANON, RESIDENT, LECTURER, COORDINATOR, MINISTRY = (
    "anonymous", "resident", "lecturer", "coordinator", "ministry"
)  # fmt: skip
LANGUAGES = {"zh-hans": ("zh-Hans", "zh-CN"), "en": ("en", "en-US")}  # cookie → (html lang, locale)
MIN_FONT_PX = 18
# Swagger UI and the API schema's words are English only, so that page says lang="en" in both.
ENGLISH_ONLY = ("/api/docs/",)

# (route as the resolver spells it, who opens it, the address with {placeholders} from the world)
VISITS: list[tuple[str, str, str]] = [
    ("", ANON, "/"),
    ("", RESIDENT, "/"),
    ("", LECTURER, "/"),
    ("", COORDINATOR, "/"),
    ("", MINISTRY, "/"),
    ("accounts/login/", ANON, "/accounts/login/"),
    ("accounts/password_reset/", ANON, "/accounts/password_reset/"),
    ("accounts/password_reset/done/", ANON, "/accounts/password_reset/done/"),
    ("accounts/reset/<uidb64>/<token>/", ANON, "/accounts/reset/{uid}/{reset_token}/"),
    ("accounts/reset/done/", ANON, "/accounts/reset/done/"),
    ("accounts/signup/", ANON, "/accounts/signup/"),
    ("accounts/signup/sent/", ANON, "/accounts/signup/sent/"),
    ("accounts/signup/resend/", ANON, "/accounts/signup/resend/"),
    ("accounts/activate/<str:uidb64>/<str:token>/", ANON,
     "/accounts/activate/{pending_uid}/{activation_token}/"),
    ("accounts/activate/<str:uidb64>/<str:token>/", ANON, "/accounts/activate/{pending_uid}/x-y/"),
    ("accounts/password_change/", RESIDENT, "/accounts/password_change/"),
    ("accounts/password_change/done/", RESIDENT, "/accounts/password_change/done/"),
    ("calendar/me/", RESIDENT, "/calendar/me/"),
    ("calendar/", ANON, "/calendar/"),
    ("calendar/<int:year>/", ANON, "/calendar/{year}/"),
    ("calendar/apply/", COORDINATOR, "/calendar/apply/"),
    ("calendar/<int:year>/apply/", COORDINATOR, "/calendar/{year}/apply/"),
    ("calendar/manage/", MINISTRY, "/calendar/manage/"),
    ("calendar/manage/open/", MINISTRY, "/calendar/manage/open/"),
    ("calendar/<int:year>/manage/", MINISTRY, "/calendar/{year}/manage/"),
    ("events/", ANON, "/events/"),
    ("events/", ANON, "/events/?q=读书&region=110000"),
    ("events/month/", ANON, "/events/month/"),
    ("events/month/<events_yyyy:year>/<events_mm:month>/", ANON, "/events/month/{year}/03/"),
    ("events/<int:event_id>/", ANON, "/events/{event}/"),
    ("events/<int:event_id>/", ANON, "/events/{cancelled_event}/"),
    ("events/<int:event_id>/", COORDINATOR, "/events/{event}/"),
    ("events/new/", COORDINATOR, "/events/new/"),
    ("events/mine/", COORDINATOR, "/events/mine/"),
    ("events/mine/", MINISTRY, "/events/mine/"),
    ("events/import/", COORDINATOR, "/events/import/"),
    ("events/<int:event_id>/edit/", COORDINATOR, "/events/{event}/edit/"),
    ("events/<int:event_id>/cancel/", COORDINATOR, "/events/{event}/cancel/"),
    ("events/<int:event_id>/participants/", COORDINATOR, "/events/{past_event}/participants/"),
    ("events/<int:year>/plan/", COORDINATOR, "/events/{year}/plan/"),
    ("events/<int:year>/plan/", MINISTRY, "/events/{year}/plan/"),
    ("events/<int:year>/nominations/", COORDINATOR, "/events/{year}/nominations/"),
    ("events/<int:year>/review/", MINISTRY, "/events/{year}/review/"),
    ("events/<int:year>/coverage/", ANON, "/events/{year}/coverage/"),
    ("events/<int:year>/progress/", MINISTRY, "/events/{year}/progress/"),
    ("events/<int:year>/showcase/", ANON, "/events/{year}/showcase/"),
    ("reports/", COORDINATOR, "/reports/"),
    ("reports/<statistics_yyyy:year>/", MINISTRY, "/reports/{year}/"),
    ("reports/<statistics_yyyy:year>/<statistics_region:code>/", COORDINATOR,
     "/reports/{year}/110000/"),
    ("reports/<statistics_yyyy:year>/<statistics_region:code>/", MINISTRY,
     "/reports/{year}/310000/"),
    ("reports/<statistics_yyyy:year>/<statistics_region:code>/adjust/", COORDINATOR,
     "/reports/{year}/110000/adjust/?cell=themed_reading.county_activities"),
    ("reports/<statistics_yyyy:year>/<statistics_region:code>/header/", COORDINATOR,
     "/reports/{year}/110000/header/"),
    ("reminders/", RESIDENT, "/reminders/"),
    ("reminders/new/", ANON, "/reminders/new/?event={event}"),
    ("reminders/new/", RESIDENT, "/reminders/new/?region=110000"),
    ("reminders/deliveries/", MINISTRY, "/reminders/deliveries/"),
    ("reminders/confirm/<reminder_token:token>/", ANON, "/reminders/confirm/{confirm_token}/"),
    ("unsubscribe/<reminder_token:token>/", ANON, "/unsubscribe/{unsubscribe_token}/"),
    ("lectures/", ANON, "/lectures/"),
    ("lectures/", ANON, "/lectures/?q=健康&when=upcoming"),
    ("lectures/dashboard/", LECTURER, "/lectures/dashboard/"),
    ("lectures/sessions/new/", LECTURER, "/lectures/sessions/new/"),
    ("lectures/sessions/<int:pk>/", ANON, "/lectures/sessions/{upcoming}/"),
    ("lectures/sessions/<int:pk>/", ANON, "/lectures/sessions/{live}/"),
    ("lectures/sessions/<int:pk>/", ANON, "/lectures/sessions/{cancelled}/"),
    ("lectures/sessions/<int:pk>/", LECTURER, "/lectures/sessions/{upcoming}/"),
    ("lectures/sessions/<int:pk>/edit/", LECTURER, "/lectures/sessions/{draft}/edit/"),
    ("lectures/sessions/<int:pk>/reschedule/", LECTURER,
     "/lectures/sessions/{upcoming}/reschedule/"),
    ("lectures/sessions/<int:pk>/cancel/", LECTURER, "/lectures/sessions/{upcoming}/cancel/"),
    ("lectures/sessions/<int:pk>/end/", LECTURER, "/lectures/sessions/{live}/end/"),
    ("lectures/sessions/<int:pk>/history/", LECTURER, "/lectures/sessions/{upcoming}/history/"),
    ("lectures/sessions/<int:pk>/live/", ANON, "/lectures/sessions/{live}/live/"),
    ("lectures/sessions/<int:pk>/live/panel/", LECTURER, "/lectures/sessions/{live}/live/panel/"),
    ("lectures/sessions/<int:pk>/attendance/", LECTURER, "/lectures/sessions/{ended}/attendance/"),
    ("lectures/lecturers/", ANON, "/lectures/lecturers/"),
    ("lectures/lecturers/<int:pk>/", ANON, "/lectures/lecturers/{lecturer}/"),
    ("lectures/lecturers/<int:pk>/edit/", LECTURER, "/lectures/lecturers/{lecturer}/edit/"),
    ("lectures/lecturers/new/", COORDINATOR, "/lectures/lecturers/new/"),
    ("lectures/lecturers/request/", RESIDENT, "/lectures/lecturers/request/"),
    ("lectures/lecturers/requests/", MINISTRY, "/lectures/lecturers/requests/"),
    ("lectures/series/", ANON, "/lectures/series/"),
    ("lectures/series/<int:pk>/", ANON, "/lectures/series/{series}/"),
    ("lectures/series/new/", LECTURER, "/lectures/series/new/"),
    ("lectures/series/<int:pk>/edit/", LECTURER, "/lectures/series/{series}/edit/"),
    ("api/docs/", ANON, "/api/docs/"),
]  # fmt: skip

POST_ONLY = "POST-only action behind a page's button; GET answers 405"
EXCLUDED: dict[str, str] = {
    "healthz": "plain-text liveness probe for the load balancer, not a page",
    "readyz": "JSON readiness probe for the load balancer, not a page",
    "i18n/setlang/": "the language switch's POST target; a GET only redirects back",
    "accounts/logout/": POST_ONLY,
    "calendar/me/rotate/": POST_ONLY,
    "calendar/me/follow/": POST_ONLY,
    "calendar/me/star/<int:event_id>/": POST_ONLY,
    "calendar/<int:year>/manage/run/": POST_ONLY,
    "calendar/<int:year>/manage/publish/": POST_ONLY,
    "calendar/<int:year>/manage/pins/": POST_ONLY,
    "calendar/<int:year>/manage/pins/clear/": POST_ONLY,
    "calendar/<int:year>/manage/weeks/": POST_ONLY,
    "calendar/<int:year>/manage/days/": POST_ONLY,
    "events/materials/<events_item:kind>/<int:item_id>/": "a PDF or picture as an attachment",
    "events/<int:year>/review/reopen/": POST_ONLY,
    "events/<int:year>/review/<events_item:kind>/<int:item_id>/": POST_ONLY,
    "reports/<statistics_yyyy:year>/<statistics_region:code>/submit/": POST_ONLY,
    "reports/<statistics_yyyy:year>/<statistics_region:code>/reopen/": POST_ONLY,
    "reminders/<int:pk>/": POST_ONLY,
    "reminders/<int:pk>/stop/": POST_ONLY,
    "lectures/sessions/<int:pk>/publish/": POST_ONLY,
    "lectures/sessions/<int:pk>/duplicate/": POST_ONLY,
    "lectures/sessions/<int:pk>/live/announce/": POST_ONLY,
}
DOWNLOAD = re.compile(r"\.(ics|csv|xlsx|json)$")

# A few main forms sent empty (the browser's own checks switched off): the page that comes back
# with the messages next to the fields must be as accessible as the empty form.
EMPTY_FORMS: list[tuple[str, str, str]] = [
    (ANON, "/accounts/login/", "main form"),
    (ANON, "/accounts/password_reset/", "main form"),
    (ANON, "/accounts/signup/", "main form"),
    (ANON, "/reminders/new/?event={event}", "main form.form"),
    (RESIDENT, "/lectures/lecturers/request/", "main form"),
    (COORDINATOR, "/events/new/", "main form.event-form"),
    (MINISTRY, "/calendar/{year}/apply/?region=440000", "main form.apply-form"),
    (
        COORDINATOR,
        "/reports/{year}/110000/adjust/?cell=themed_reading.county_activities",
        "main form",
    ),
    (LECTURER, "/lectures/sessions/new/", "main form.lh-form"),
    (LECTURER, "/lectures/series/new/", "main form.lh-form"),
    (MINISTRY, "/calendar/manage/open/", "main form"),
]


SEND_EMPTY = """form => {
    for (const el of form.elements) {
        if (el.type === "checkbox" || el.type === "radio") el.checked = false;
        else if (!["hidden", "submit", "button", "file"].includes(el.type)) el.value = "";
    }
    form.noValidate = true;
    form.requestSubmit(form.querySelector("button:not([type=button]), [type=submit]"));
}"""


# Each app's refusal page (403), as a resident asking for a page that is not theirs.
REFUSED: list[tuple[str, str]] = [
    (RESIDENT, "/events/new/"),
    (RESIDENT, "/calendar/{year}/manage/"),
    (RESIDENT, "/lectures/sessions/{upcoming}/edit/"),
]


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _not_a_page(route: str) -> str | None:
    """Whole families that are not HTML pages, by rule rather than one by one."""
    if route.startswith("admin/"):
        return "Django's own admin site, for staff"
    if route.startswith("api/") and route != "api/docs/":
        return "REST endpoint for programs (JSON); people read /api/docs/"
    if DOWNLOAD.search(route):
        return "a download (calendar feed, spreadsheet or JSON), not a page"
    return None


def _sample_path(route: str) -> str:
    """Fill a route's parameters with plausible values, for the exclusion checks."""
    values = {"year": str(YEAR), "code": "110000", "kind": "plan", "token": "a" * 22}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)


def test_every_get_html_route_is_visited_or_excluded_with_a_reason(db: None) -> None:
    routes = set(_routes())
    visited = {route for route, _role, _path in VISITS}
    pages = {route for route in routes if _not_a_page(route) is None}
    assert visited <= routes, f"visits name routes that no longer exist: {visited - routes}"
    assert set(EXCLUDED) <= routes, f"stale exclusions: {set(EXCLUDED) - routes}"
    assert not visited & set(EXCLUDED), "a route is both visited and excluded"
    assert all(_not_a_page(route) is None for route in visited | set(EXCLUDED))
    missing = pages - visited - set(EXCLUDED)
    assert not missing, f"GET routes neither checked by axe nor excluded with a reason: {missing}"

    # The exclusions are true: signed in as the Ministry (who may do most), no excluded route or
    # download answers a GET with an HTML page, and the POST-only ones refuse GET outright.
    client = Client()
    client.force_login(UserFactory(role=Role.MINISTRY, is_staff=True))
    downloads = {route: "download" for route in routes if DOWNLOAD.search(route)}
    for route, reason in (EXCLUDED | downloads).items():
        response = client.get(_sample_path(route))
        if reason == POST_ONLY:
            assert response.status_code == 405, route
        is_page = response.status_code == 200 and "text/html" in response.get("Content-Type", "")
        assert not is_page, f"{route} is excluded ({reason}) but GET answers an HTML page"


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, Any] = field(default_factory=dict)

    def path(self, template: str) -> str:
        return template.format(**self.ids)


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def _build_world() -> World:
    """Campaign year 2027 with weeks and a published allocation, coordinators, events of the
    five types, a plan and nominations, statistics (one region submitted), lecturers with a
    series and sessions (one live now, one ended with attendance), a resident's reminders."""
    now = timezone.now().replace(second=0, microsecond=0)
    ministry = UserFactory(role=Role.MINISTRY, is_staff=True, username="ministry-axe")
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="110000", username="beijing-axe")
    UserFactory(role=Role.COORDINATOR, region_id="310000", username="shanghai-axe")
    resident = UserFactory(role=Role.RESIDENT, username="resident-axe")
    teacher = LecturerFactory(name="王教授", user__username="teacher-axe")
    partner = LecturerFactory(name="李老师", region_id="110000", user__region_id="110000")
    world = World(
        users={RESIDENT: resident, LECTURER: teacher.user, COORDINATOR: coordinator,
               MINISTRY: ministry},
    )  # fmt: skip

    open_until = now + dt.timedelta(days=30)
    year = campaign_year_open(
        actor=ministry, year=YEAR, applications_deadline=open_until,
        plan_deadline=open_until, nomination_deadline=open_until,
    )  # fmt: skip
    for i, code in enumerate(("110000", "310000", "440000", "500000", "650000", "510000")):
        application_submit(
            actor=ministry, campaign_year=year, region_code=code,
            ranked_weeks=[10 + 3 * i, 11 + 3 * i], avoided_weeks=[30], theme=f"书香{code}",
            contact_name="联系人",
        )  # fmt: skip
    version_publish(
        actor=ministry, campaign_year=year,
        run=allocation_run(actor=ministry, campaign_year=year, check_stale=False),
    )  # fmt: skip

    for i, activity_type in enumerate(ActivityType.values * 3):
        start = _at(dt.date(YEAR, 3, 1) + dt.timedelta(days=2 * i), 9 + i % 8)
        level = Level.values[i % len(Level.values)]
        EventFactory(
            title=f"社区读书分享会第{i + 1}场", activity_type=activity_type, level=level,
            city="" if level == Level.PROVINCIAL else "海淀区",
            region_id=("110000", "310000", "440000")[i % 3], starts_at=start,
            ends_at=start + dt.timedelta(hours=2), participants=100 * (i + 1),
        )  # fmt: skip
    event = EventFactory(title="北京市终身学习活动周开幕式", region_id="110000",
                         starts_at=_at(dt.date(YEAR, 3, 15), 9))  # fmt: skip
    cancelled = EventFactory(title="已取消的读书会", status="cancelled", cancel_reason="场地维修",
                             starts_at=_at(dt.date(YEAR, 3, 16), 19))  # fmt: skip
    past = EventFactory(title="上周的社区讲座", starts_at=now - dt.timedelta(days=3))
    world.ids.update(year=YEAR, event=event.pk, cancelled_event=cancelled.pk, past_event=past.pk)

    plan_submit(actor=coordinator, campaign_year=year, region_code="110000",
                title="北京市2027年活动方案",
                document=SimpleUploadedFile("plan.pdf", PDF, "application/pdf"))  # fmt: skip
    for kind, name in (("learning_star", "张阿姨"), ("brand_project", "社区夜校")):
        nomination = nomination_submit(
            actor=coordinator, campaign_year=year, region_code="110000", kind=kind, name=name,
            summary="坚持社区学习三十年。",
        )  # fmt: skip
    nomination_review(actor=ministry, nomination=nomination, status="accepted", comment="")
    statistics_header_update(actor=ministry, campaign_year=year, region_code="310000",
                             contact_name="李老师", office_phone="021-1")  # fmt: skip
    statistics_submit(actor=ministry, campaign_year=year, region_code="310000")

    series = series_create(actor=teacher.user, title="健康老龄化系列", region_code="500000",
                           lecturer_ids=[teacher.pk])  # fmt: skip

    def session(title: str, starts_at: dt.datetime, lecturer: Any = teacher, **kw: Any) -> Session:
        with time_machine.travel(starts_at - dt.timedelta(days=1), tick=False):
            created = session_create(
                actor=lecturer.user, title=title, abstract="如何在晚年保持身心健康。",
                starts_at=starts_at, duration_minutes=90, lecturer_ids=[lecturer.pk],
                stream_url="https://live.example.cn/s/1", **kw,
            )  # fmt: skip
            return session_publish(actor=lecturer.user, session=created, expected_version=1)

    live = session("健康老龄化第1讲：运动与饮食", now - dt.timedelta(minutes=10), series=series)
    upcoming = session("健康老龄化第2讲：社会参与", now + dt.timedelta(days=2), series=series)
    session_reschedule(actor=teacher.user, session=upcoming, expected_version=2,
                       starts_at=upcoming.starts_at + dt.timedelta(hours=1),
                       reason="场地调整")  # fmt: skip
    moved = session("老年智能手机课", now + dt.timedelta(days=3), lecturer=partner)
    session_cancel(actor=partner.user, session=moved, expected_version=2, reason="讲师出差")
    ended = session("家庭教育与终身学习", now - dt.timedelta(days=1))
    with time_machine.travel(ended.starts_at + dt.timedelta(minutes=90), tick=False):
        session_end(actor=teacher.user, session=ended)
    for minutes in (0, 5, 20, 40):
        joined = ended.starts_at + dt.timedelta(minutes=minutes)
        AttendanceSpanFactory(session=ended, joined_at=joined,
                              left_at=joined + dt.timedelta(minutes=45))  # fmt: skip
    attendance_summarize(session_id=ended.pk)
    draft = session_create(actor=teacher.user, title="草稿：终身学习与社区", starts_at=now
                           + dt.timedelta(days=9), duration_minutes=60,
                           lecturer_ids=[teacher.pk])  # fmt: skip
    applicant = UserFactory(role=Role.RESIDENT, username="applicant-axe")
    lecturer_request(actor=applicant, region_code="110000", name="赵老师", title="讲师",
                     organisation="北京开放大学", biography="社区教育二十年。")  # fmt: skip
    world.ids.update(series=series.pk, live=live.pk, upcoming=upcoming.pk, cancelled=moved.pk,
                     ended=ended.pk, draft=draft.pk, lecturer=teacher.pk)  # fmt: skip

    # Reminders: the resident's own, an address waiting for its confirmation link, and a sent
    # reminder whose one-click unsubscribe link is in someone's mailbox.
    reminder_request(actor=resident, target=f"event:{event.pk}", offsets=[1440, 60])
    pending, _outcome = reminder_request(actor=None, target=f"event:{event.pk}", offsets=[60],
                                         email="reader@example.cn")  # fmt: skip
    confirm_token, pending.confirm_token_hash = new_token()
    pending.save()
    unsubscribe_token, digest = new_token()
    active = ReminderRequest.objects.get(user=resident)
    ReminderDelivery.objects.create(
        request=active, event=event, offset_minutes=60, sequence=0, recipient=active.recipient,
        starts_at=event.starts_at, due_at=now - dt.timedelta(minutes=5),
        status=DeliveryStatus.SENT, unsubscribe_token_hash=digest,
    )  # fmt: skip
    world.ids.update(
        confirm_token=confirm_token, unsubscribe_token=unsubscribe_token,
        uid=urlsafe_base64_encode(force_bytes(resident.pk)),
        reset_token=default_token_generator.make_token(resident),
    )  # fmt: skip
    # Someone who signed up and has not opened the emailed link yet.
    newcomer = UserFactory(username="新来的居民", is_active=False, signup_pending_since=now)
    world.ids.update(pending_uid=urlsafe_base64_encode(force_bytes(newcomer.pk)),
                     activation_token=activation_token.make_token(newcomer))  # fmt: skip
    return world


# --- The browser pass ------------------------------------------------------------------------


@dataclass
class Pass:
    base: str
    foreign: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def check(self, page: Page, label: str, html_lang: str) -> None:
        started = time.monotonic()
        lang = page.evaluate("document.documentElement.lang")
        if page.url.startswith(tuple(self.base + path for path in ENGLISH_ONLY)):
            html_lang = "en"
        if lang != html_lang:
            self.problems.append(f"{label}: <html lang={lang!r}>, expected {html_lang!r}")
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        if font < MIN_FONT_PX:
            self.problems.append(f"{label}: body text is {font} px, under {MIN_FONT_PX} px")
        for v in Axe().run(page).response["violations"]:
            targets = [n["target"] for n in v["nodes"]][:5]
            self.problems.append(f"{label}: axe {v['id']} ({v['impact']}): {v['help']} {targets}")
        self.seconds[label] = time.monotonic() - started


def _context(browser: Browser, run: Pass, user: User | None, language: str) -> BrowserContext:
    context = browser.new_context(
        locale=LANGUAGES[language][1], viewport={"width": 1280, "height": 900}
    )
    host = run.base.split("://", 1)[1]

    def note(url: str) -> None:
        if not url.startswith((run.base, f"ws://{host}", "data:", "about:", "blob:")):
            run.foreign.append(url)

    context.on("request", lambda request: note(request.url))
    cookies = [{"name": "django_language", "value": language, "url": run.base}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value,
                        "url": run.base})  # fmt: skip
    context.add_cookies(cookies)  # type: ignore[arg-type]
    return context


def _swagger_states(page: Page, run: Pass, label: str, html_lang: str) -> None:
    """Swagger UI draws the page with a script: as drawn, then with one operation opened, tried
    out and its answer shown (the list of campaign years: a short answer, so axe stays quick)."""
    page.locator(".opblock").first.wait_for()
    run.check(page, label, html_lang)
    operation = page.locator(".opblock-get", has=page.locator("[data-path='/api/years/']"))
    operation.locator(".opblock-summary-control").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    operation.locator(".live-responses-table").wait_for()
    run.check(page, f"{label} with an operation tried out", html_lang)


def _lock_out(page: Page, run: Pass, label: str, html_lang: str) -> None:
    """Wrong passwords for one name until sign-in limiting shows its page (429)."""
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto(f"{run.base}/accounts/login/")
        page.locator("#id_username").fill("locked-out-axe")
        page.locator("#id_password").fill("not-the-password")
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        if navigation.value is not None and navigation.value.status == 429:
            run.check(page, label, html_lang)
            return
    run.problems.append(f"{label}: no lockout after {settings.AXES_FAILURE_LIMIT + 1} tries")


@pytest.fixture
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.usefixtures("_media")
def test_every_page_passes_axe_in_both_languages(browser: Browser, live_server: Any) -> None:
    world = _build_world()
    run = Pass(base=str(live_server))
    started = time.monotonic()
    for language, (html_lang, _locale) in LANGUAGES.items():
        for role in (ANON, RESIDENT, LECTURER, COORDINATOR, MINISTRY):
            context = _context(browser, run, world.users.get(role), language)
            page = context.new_page()
            for route, who, template in VISITS:
                if who != role:
                    continue
                path = world.path(template)
                assert resolve(path.split("?")[0]).route == route, path
                response = page.goto(f"{run.base}{path}")
                label = f"[{language} {role}] {path}"
                if response is None or response.status != 200:
                    status = response.status if response else "no response"
                    run.problems.append(f"{label}: answered {status}")
                    continue
                if path == "/api/docs/":
                    _swagger_states(page, run, label, html_lang)
                    continue
                run.check(page, label, html_lang)
            for who, template, form in EMPTY_FORMS:
                if who != role:
                    continue
                path = world.path(template)
                page.goto(f"{run.base}{path}")
                with page.expect_navigation():
                    page.locator(form).evaluate(SEND_EMPTY)
                label = f"[{language} {role}] {path} sent empty"
                if page.locator(".field-errors, .form-errors").count() == 0:
                    run.problems.append(f"{label}: no error shown")
                run.check(page, label, html_lang)
            for who, template in REFUSED:
                if who == role:
                    response = page.goto(f"{run.base}{world.path(template)}")
                    assert response is not None
                    assert response.status == 403, template
                    run.check(page, f"[{language} {role}] {template} refused", html_lang)
            if role == ANON:
                response = page.goto(f"{run.base}/no-such-page/")
                assert response is not None
                assert response.status == 404
                run.check(page, f"[{language}] the 404 page", html_lang)
                _lock_out(page, run, f"[{language}] the lockout page", html_lang)
            context.close()
    elapsed = time.monotonic() - started
    slowest = sorted(run.seconds.items(), key=lambda item: -item[1])[:5]
    print(
        f"axe: {len(run.seconds)} page states ({len(run.seconds) // 2} × 2 languages) in "
        f"{elapsed:.0f} s, axe itself {sum(run.seconds.values()):.0f} s; slowest: "
        + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in slowest)
    )
    assert run.foreign == [], f"pages requested another origin: {sorted(set(run.foreign))}"
    assert run.problems == [], "\n".join(run.problems)
