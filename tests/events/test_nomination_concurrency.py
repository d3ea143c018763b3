"""On PostgreSQL: nominations sent at the same moment take turns on the region, so a region never
ends up with more than five of a kind, nor with the same name twice behind a server error."""

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from accounts.models import Role, User
from events.models import Nomination, NominationKind
from events.services import nomination_submit
from events.services.submissions import ERROR_TOO_MANY, MAX_NOMINATIONS
from scheduling.models import CampaignYear
from tests.factories import NominationFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
BEFORE_NOMINATIONS = dt.datetime(2027, 7, 1, tzinfo=dt.UTC)
STAR = NominationKind.LEARNING_STAR


@pytest.fixture(autouse=True)
def _before_the_deadline() -> Iterator[None]:
    with time_machine.travel(BEFORE_NOMINATIONS, tick=True):
        yield


def nominate(actor: User, campaign_year: CampaignYear, name: str) -> Nomination:
    with translation.override("en"):  # a thread starts in the default language
        return nomination_submit(actor=actor, campaign_year=campaign_year, region_code="110000",
                                 kind=STAR, name=name, summary="三十年社区学习")  # fmt: skip


def race_while_the_first_is_open(
    campaign_year: CampaignYear, first: tuple[User, str], second: tuple[User, str]
) -> tuple[bool, dict[str, object]]:
    """The first nomination is stored but not yet committed when the second is sent; the
    first commits half a second later. Whether the second had to wait, and what each got."""
    stored, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def hold_open() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = nominate(first[0], campaign_year, first[1])
                stored.set()
                release.wait(timeout=30)  # still inside the transaction
        except Exception as exc:  # surfaced by the caller's assertions
            outcome["first"] = exc
            stored.set()
        finally:
            connection.close()

    def send() -> None:
        try:
            outcome["second"] = nominate(second[0], campaign_year, second[1])
        except Exception as exc:
            outcome["second"] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=hold_open)
    holder.start()
    assert stored.wait(timeout=30)
    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)
    waited = sender.is_alive()
    release.set()
    holder.join(timeout=30)
    sender.join(timeout=30)
    return waited, outcome


def test_the_fifth_and_a_sixth_at_once_store_only_the_fifth(
    database_url: str, campaign_2027: CampaignYear, coordinator: User
) -> None:
    assert connection.vendor == "postgresql"
    colleague = UserFactory(role=Role.COORDINATOR, region_id="110000")
    for i in range(MAX_NOMINATIONS - 1):
        NominationFactory(campaign_year=campaign_2027, kind=STAR, name=f"星{i}")
    waited, outcome = race_while_the_first_is_open(
        campaign_2027, (coordinator, "张老师"), (colleague, "李老师")
    )
    assert waited
    assert isinstance(outcome["first"], Nomination)
    refused = outcome["second"]
    assert isinstance(refused, ValidationError)
    assert refused.message_dict["kind"] == [
        ERROR_TOO_MANY % {"max": MAX_NOMINATIONS, "region": "110000", "count": MAX_NOMINATIONS}
    ]
    assert Nomination.objects.filter(region_id="110000", kind=STAR).count() == MAX_NOMINATIONS


def test_the_same_name_twice_at_once_from_none_is_told_not_a_server_error(
    database_url: str, campaign_2027: CampaignYear, coordinator: User
) -> None:
    """With no nomination yet there is no row of theirs to lock: the region is what they wait on."""
    colleague = UserFactory(role=Role.COORDINATOR, region_id="110000")
    waited, outcome = race_while_the_first_is_open(
        campaign_2027, (coordinator, "张老师"), (colleague, "张老师")
    )
    assert waited
    assert isinstance(outcome["first"], Nomination)
    refused = outcome["second"]
    assert isinstance(refused, ValidationError), refused
    assert refused.message_dict["name"] == ["张老师 is already nominated."]
    assert list(Nomination.objects.values_list("name", flat=True)) == ["张老师"]


def test_seven_at_once_from_none_store_five(
    database_url: str, campaign_2027: CampaignYear, coordinator: User
) -> None:
    senders = 7
    barrier = threading.Barrier(senders)
    results: list[object] = []

    def send(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            results.append(nominate(coordinator, campaign_2027, f"星{i}"))
        except ValidationError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == senders
    assert sum(isinstance(r, Nomination) for r in results) == MAX_NOMINATIONS
    assert sum(isinstance(r, ValidationError) for r in results) == senders - MAX_NOMINATIONS
    assert Nomination.objects.filter(region_id="110000", kind=STAR).count() == MAX_NOMINATIONS
