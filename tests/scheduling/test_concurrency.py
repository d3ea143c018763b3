"""Two Ministry users allocating at once on PostgreSQL: one run wins, the other is told."""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import User
from scheduling.models import AllocationRun, CampaignYear
from scheduling.services import AllocationConflict, allocation_run, version_publish

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_second_run_while_the_first_holds_the_year_is_told_and_stores_nothing(
    database_url: str, applied_2027: CampaignYear, ministry_user: User
) -> None:
    assert connection.vendor == "postgresql"
    locked, other_done = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_user() -> None:
        try:
            with transaction.atomic():
                outcome["run"] = allocation_run(actor=ministry_user, campaign_year=applied_2027)
                locked.set()
                other_done.wait(timeout=30)  # still inside the transaction: the year stays locked
        except Exception as exc:  # surfaced by the assertions below
            outcome["error"] = exc
            locked.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first_user)
    thread.start()
    assert locked.wait(timeout=30)
    try:
        with pytest.raises(AllocationConflict, match="right now"):
            allocation_run(actor=ministry_user, campaign_year=applied_2027)
    finally:
        other_done.set()
        thread.join(timeout=30)
    assert "error" not in outcome
    winner = outcome["run"]
    assert list(AllocationRun.objects.values_list("pk", flat=True)) == [winner.pk]  # type: ignore[attr-defined]

    # Trying again on the view from before the first run finished: told whose run to look at.
    with pytest.raises(AllocationConflict, match=f"#{winner.pk}"):  # type: ignore[attr-defined]
        allocation_run(actor=ministry_user, campaign_year=applied_2027, expected_latest_run_id=None)
    assert AllocationRun.objects.count() == 1


def test_concurrent_publishes_of_the_same_run_make_one_version(
    database_url: str, applied_2027: CampaignYear, ministry_user: User
) -> None:
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def publish() -> None:
        barrier.wait(timeout=30)
        try:
            results.append(
                version_publish(actor=ministry_user, campaign_year=applied_2027, run=run)
            )
        except AllocationConflict as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 2
    assert sum(isinstance(r, AllocationConflict) for r in results) == 1
    assert applied_2027.versions.count() == 1
