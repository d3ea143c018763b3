"""On PostgreSQL: a submission waits for an adjustment in progress on the same table and
freezes it, instead of missing it (the table's row is locked by every write)."""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import User
from events.models import StatisticsSubmission
from events.statistics.services import (
    statistics_adjust,
    statistics_header_update,
    statistics_submit,
)
from scheduling.models import CampaignYear

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
CELL = "themed_reading.county_activities"


def test_a_submission_waits_for_an_adjustment_in_progress_and_freezes_it(
    database_url: str, campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    assert connection.vendor == "postgresql"
    statistics_header_update(actor=coordinator, campaign_year=campaign_2027, region_code="110000",
                             contact_name="王老师", office_phone="010-1")  # fmt: skip
    adjusting, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def adjust() -> None:
        try:
            with transaction.atomic():
                statistics_adjust(actor=coordinator, campaign_year=campaign_2027,
                                  region_code="110000", cell_key=CELL, value=12,
                                  reason="县区报表补充")  # fmt: skip
                adjusting.set()
                release.wait(timeout=30)  # still inside the transaction: the row stays locked
        except Exception as exc:  # surfaced by the assertions below
            outcome["adjust"] = exc
            adjusting.set()
        finally:
            connection.close()

    def submit() -> None:
        try:
            outcome["submission"] = statistics_submit(
                actor=ministry_user, campaign_year=campaign_2027, region_code="110000"
            )
        except Exception as exc:
            outcome["submit"] = exc
        finally:
            connection.close()

    first = threading.Thread(target=adjust)
    first.start()
    assert adjusting.wait(timeout=30)
    second = threading.Thread(target=submit)
    second.start()
    time.sleep(0.5)
    waiting = second.is_alive()  # blocked on the table's row
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert waiting
    assert "adjust" not in outcome
    assert "submit" not in outcome
    submission = StatisticsSubmission.objects.get()
    assert submission.cells[CELL]["value"] == 12
    assert submission.cells[CELL]["reason"] == "县区报表补充"
