"""The access matrix: every write (forms, API, live room) tried as every role, in one shared world.

For a role the case allows: the answer is a success and the write's effect is in the database.
For every other role: the documented refusal (sign-in page, 403, 404 where existence is hidden,
a live-room close code) and not one row of the database changed. Ids of other regions and
other users in URLs and bodies are cases of their own. The guards at the end fail when a write
appears (a URL accepting POST, an unsafe API operation, a live-room message type) that no case
covers, so a new, unguarded write cannot slip in unnoticed.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from lecture_hall.live import protocol
from tests.access.cases import CASES, FORM_ERROR, LOGIN, Case, resident_a_untouched
from tests.access.world import NOW, OWNER, World
from tests.lecture_hall.live.rooms import connect, device, make_hub, run, use

pytestmark = pytest.mark.django_db

SNAPSHOT_APPS = ("accounts", "scheduling", "events", "lecture_hall")
# Columns a request may change without being a write: signing in (done before the snapshot).
IGNORED_COLUMNS = {("accounts.User", "last_login")}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project's tables (the whole world is a few hundred rows)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in SNAPSHOT_APPS:
            continue
        label = model._meta.label
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if (label, f.attname) not in IGNORED_COLUMNS
        ]
        tables[label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return tables


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def actor_key(case: Case, role: str) -> str | None:
    if role == "anonymous":
        return None
    if role == OWNER:
        assert case.owner is not None
        return case.owner
    return role


def actor_for(world: World, case: Case, role: str) -> User | None:
    key = actor_key(case, role)
    return None if key is None else world.user(key)


def sign_in(client: Client, world: World, case: Case, role: str) -> None:
    key = actor_key(case, role)
    if key is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[key]


def params(transport: str) -> list[Any]:
    return [
        pytest.param(case, role, id=f"{case.name} | {role}")
        for case in CASES
        if (case.transport == "ws") == (transport == "ws")
        for role in case.roles
    ]


def send(client: Client, case: Case, world: World, actor: User | None) -> Any:
    url = case.url(world)
    data = case.payload(world, actor) if case.payload else {}
    if case.transport == "form":
        return client.post(url, data)
    if case.multipart:
        body = encode_multipart(BOUNDARY, data)  # PUT too, which Client.put would not encode
        return client.generic(case.method, url, body, content_type=MULTIPART_CONTENT)
    return client.generic(case.method, url, json.dumps(data), content_type="application/json")


def _shows_form_errors(response: Any) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and ("field-errors" in html or "errorlist" in html)


@pytest.mark.parametrize(("case", "role"), params("http"))
def test_write(world: World, http: Client, case: Case, role: str) -> None:
    actor = actor_for(world, case, role)
    if case.prepare is not None:
        case.prepare(world)
    sign_in(http, world, case, role)
    allowed = role in case.allowed
    bystander = None if actor == world.user("resident_a") else resident_a_untouched(world)
    before = None if allowed else snapshot()
    effect_before = case.effect(world, actor)

    response = send(http, case, world, actor)

    status = response.status_code
    if allowed:
        assert status in case.success, (status, response.content[:600])
        if status == 302:
            assert not response["Location"].startswith(reverse("login"))
        assert case.effect(world, actor) != effect_before, "allowed, but nothing changed"
    else:
        expected = case.refusal(role)
        if expected == LOGIN:
            assert status == 302, status
            assert response["Location"].startswith(reverse("login")), response["Location"]
        elif expected == FORM_ERROR:
            assert _shows_form_errors(response), (status, response.content[:600])
        else:
            assert status == expected, (status, response.content[:600])
        if case.transport == "api":
            body = response.json()
            assert body.get("detail") or body.get("errors"), "a refusal says why"
        assert before is not None
        assert changed_tables(before, snapshot()) == [], "refused, yet the database changed"
    if bystander is not None:
        assert resident_a_untouched(world) == bystander, "another user's data changed"


# --- The live room -----------------------------------------------------------------------------


def _viewer(actor: User | None) -> str:
    return f"user:{actor.pk}" if actor is not None else device()


async def _live(world: World, case: Case, actor: User | None, silent: bool) -> dict[str, Any]:
    """Send the case's message as the actor; return what came back (a welcome, a close code,
    or nothing when `silent`: an accepted announcement or heartbeat has no reply) and the
    viewer count of the store afterwards."""
    hub = use(make_hub(lambda: NOW.timestamp()))
    communicator = await connect(world.live_id, actor)
    message = case.payload(world, actor) if case.payload else {}
    outcome: dict[str, Any] = {}
    try:
        if message["type"] == "hello":
            hello = {"type": "hello", "viewer": message.get("viewer") or _viewer(actor)}
            if message.get("panel"):
                hello["panel"] = True
            await communicator.send_json_to(hello)
        else:
            await communicator.send_json_to({"type": "hello", "viewer": _viewer(actor)})
            welcome = await communicator.receive_json_from(timeout=2)
            assert welcome["type"] == "welcome", welcome
            await communicator.send_json_to(message)
        if silent and await communicator.receive_nothing(timeout=0.2):
            outcome["reply"] = None
        else:
            output = await communicator.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                outcome["close"] = int(output.get("code", 1000))
            else:
                outcome["reply"] = json.loads(output["text"])
        outcome["count"] = (await hub.store.stats(world.live_id)).count
    finally:
        await communicator.disconnect()
    return outcome


@pytest.fixture
def _keep_the_test_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """database_sync_to_async closes "old" connections around each call, and on PostgreSQL a
    connection inside the test's transaction counts as one: keep it, as Django's test client
    does for requests."""
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


@pytest.mark.usefixtures("_keep_the_test_transaction")
@pytest.mark.parametrize(("case", "role"), params("ws"))
def test_live_room_message(world: World, case: Case, role: str) -> None:
    actor = actor_for(world, case, role)
    before, effect_before = snapshot(), case.effect(world, actor)

    kind = (case.payload(world, actor) if case.payload else {})["type"]
    allowed = role in case.allowed
    outcome = run(lambda: _live(world, case, actor, silent=allowed and kind != "hello"))

    after = snapshot()
    if allowed:
        assert "close" not in outcome, outcome
        if kind == "announce":
            assert case.effect(world, actor) != effect_before, "allowed, but nothing stored"
        elif kind == "hello":
            reply = outcome["reply"]
            assert reply["type"] == "welcome", reply
            assert reply["panel"] is bool(case.payload and case.payload(world, actor).get("panel"))
        else:
            assert outcome["count"] == 1, outcome
    else:
        assert outcome.get("close") == case.refusal(role), outcome
        assert changed_tables(before, after) == [], "refused, yet the database changed"


# --- Completeness guards: a write nobody listed fails here ---------------------------------------

# URL names whose POST is not a write of this platform's data, with the reason.
NOT_PLATFORM_WRITES = {
    "set_language": "Django's language switch: sets a cookie, stores nothing",
    "login": "signing in (django.contrib.auth; limited by django-axes)",
    "logout": "signing out",
    "password_change": "the signed-in user's own password (django.contrib.auth)",
    "password_reset": "sends a reset email to an address's owner (django.contrib.auth)",
    "password_reset_confirm": "the emailed reset link is the key (django.contrib.auth)",
    "accounts:signup": "anyone signs up as a resident: inactive until the emailed link is "
    "opened; signed-in people are sent home (tests/accounts/test_signup.py)",
    "accounts:signup_resend": "sends the activation link again to a pending address's owner",
    "accounts:activate": "the emailed activation link is the key (tests/accounts/test_signup.py)",
}
# Converter values for building each URL the probe posts to.
PROBE_VALUES = {
    "year": 2027,
    "month": 3,
    "code": "110000",
    "token": "t" * 32,
    "kind": "plan",
    "uidb64": "MQ",
}


def _walk(resolver: URLResolver, ns: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith(("admin/", "api/")):
                continue  # the admin is Django's; the API is checked through its schema
            yield from _walk(entry, ":".join(x for x in (ns, entry.namespace) if x))
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{ns}:{entry.name}" if ns else entry.name), entry


def _probe_url(name: str, pattern: URLPattern, world: World) -> str:
    kwargs: dict[str, Any] = {}
    for key in pattern.pattern.converters:
        kwargs[key] = PROBE_VALUES.get(key, world.event_id)
    return reverse(name, kwargs=kwargs)


def pages_accepting_post(http: Client, world: World) -> set[str]:
    """POST (empty) to every named page as the Ministry, each in a transaction rolled back:
    whatever does not answer 405 accepts writes."""
    http.cookies[settings.SESSION_COOKIE_NAME] = world.sessions["ministry"]
    accepting = set()
    for name, pattern in _walk(get_resolver()):
        if name in NOT_PLATFORM_WRITES:
            continue
        with transaction.atomic():
            response = http.post(_probe_url(name, pattern, world))
            transaction.set_rollback(True)
        if response.status_code != 405:
            accepting.add(name)
    return accepting


def test_every_page_that_accepts_post_is_in_the_matrix(world: World, http: Client) -> None:
    covered = {case.route for case in CASES if case.transport == "form"}
    accepting = pages_accepting_post(http, world)
    missing = sorted(accepting - covered)
    assert missing == [], f"pages accepting POST that the access matrix does not try: {missing}"
    stale = sorted(covered - accepting)
    assert stale == [], f"matrix cases for pages that no longer accept POST: {stale}"


def test_the_page_guard_finds_a_new_unguarded_write(
    world: World, http: Client, settings: Settings
) -> None:
    """The guard above can fail: a page added without a case (tests/access/sneaky_urls.py)."""
    settings.ROOT_URLCONF = "tests.access.sneaky_urls"
    covered = {case.route for case in CASES if case.transport == "form"}
    assert pages_accepting_post(http, world) - covered == {"sneaky-write"}


def test_every_unsafe_api_operation_is_in_the_matrix() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete")
    }
    covered = {case.route for case in CASES if case.transport == "api"}
    assert sorted(operations - covered) == [], "unsafe API operations the matrix does not try"
    assert sorted(covered - operations) == [], "matrix cases for operations that are gone"


def test_every_live_room_message_type_is_in_the_matrix() -> None:
    kinds = {cls.__name__.lower() for cls in typing.get_args(protocol.Request)}
    covered = {case.route for case in CASES if case.transport == "ws"}
    assert kinds == covered


# Writes everybody may make, and why; any other case must refuse someone.
OPEN_BY_DESIGN = {
    "ask for a reminder": "anyone; an email address is confirmed before anything is sent",
    "confirm an emailed reminder": "the emailed link is the key",
    "unsubscribe with the emailed link": "the emailed link is the key (RFC 8058 one-click)",
    "live room: join and heartbeat": "published talks are public; presence is not stored",
    "live room: polling heartbeat": "the same presence, for browsers without WebSockets",
}


def test_every_case_refuses_someone_unless_open_by_design() -> None:
    for case in CASES:
        assert set(case.allowed) <= set(case.roles), case.name
        if set(case.allowed) == set(case.roles):
            assert case.name in OPEN_BY_DESIGN, f"{case.name!r} refuses nobody"
    assert sum(len(case.roles) for case in CASES) >= 500  # the size the closing note reports
