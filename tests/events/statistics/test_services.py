"""Review, adjust, submit, lock, reopen: who may, what is stored, and bad input refused with
messages naming the cell while nothing is stored."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, User
from events.models import StatisticsAdjustment, StatisticsSubmission, StatisticsTable
from events.statistics.selectors import region_statistics
from events.statistics.services import (
    ERROR_LOCKED,
    statistics_adjust,
    statistics_adjustment_clear,
    statistics_header_update,
    statistics_reopen,
    statistics_submit,
)
from scheduling.models import CampaignYear, Region
from tests.events.statistics.conftest import event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CELL = "themed_reading.county_activities"
CELL_LABEL = "主题阅读活动 · 县级城市开展情况 · 活动数"
AFTER_DEADLINE = dt.datetime(2027, 11, 29, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _stats(year: CampaignYear, code: str = "110000") -> Any:
    return region_statistics(year, Region.objects.get(code=code))


def _header(actor: User, year: CampaignYear, code: str = "110000") -> None:
    statistics_header_update(
        actor=actor, campaign_year=year, region_code=code, contact_name="王老师",
        contact_department="终身教育处", office_phone="010-66096253", mobile="13601198336",
    )  # fmt: skip


def _adjust(actor: User, year: CampaignYear, value: Any = 12, reason: str = "县区报表补充",
            cell: str = CELL, code: str = "110000") -> StatisticsAdjustment:  # fmt: skip
    return statistics_adjust(actor=actor, campaign_year=year, region_code=code, cell_key=cell,
                             value=value, reason=reason)  # fmt: skip


def _nothing_stored() -> None:
    assert StatisticsTable.objects.count() == 0
    assert StatisticsAdjustment.objects.count() == 0
    assert StatisticsSubmission.objects.count() == 0


def test_adjusting_keeps_computed_and_adjusted_value_with_who_and_when(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    event(level="county", city="延庆区")
    adjustment = _adjust(coordinator, campaign_2027, value="12")
    assert (adjustment.computed_value, adjustment.value) == (1, 12)
    assert adjustment.adjusted_by == coordinator
    assert adjustment.adjusted_at is not None
    stats = _stats(campaign_2027)
    assert stats.computed[CELL] == 1
    assert stats.current[CELL] == 12
    statistics_adjustment_clear(actor=coordinator, campaign_year=campaign_2027,
                                region_code="110000", cell_key=CELL)  # fmt: skip
    assert _stats(campaign_2027).current[CELL] == 1


@pytest.mark.parametrize(
    ("value", "cell", "fragment"),
    [
        ("1.5", CELL, "is not a whole number"),
        ("abc", CELL, "is not a whole number"),
        ("１２", CELL, "is not a whole number"),  # full-width digits: ask for plain ones
        ("-3", CELL, "is negative"),
        (-3, CELL, "is negative"),
        ("1000001", CELL, "more than 1,000,000"),
        ("100000001", "themed_reading.county_participants", "more than 100,000,000"),
        ("9" * 40, "themed_reading.county_participants", "more than 100,000,000"),
        ("2", "themed_reading.provincial", "is not yes or no"),
        ("maybe", "themed_reading.provincial", "is not yes or no"),
    ],
)
def test_bad_figures_are_refused_naming_the_cell_and_nothing_is_stored(
    campaign_2027: CampaignYear, coordinator: User, value: Any, cell: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        _adjust(coordinator, campaign_2027, value=value, cell=cell)
    message = raised.value.message_dict["value"][0]
    assert fragment in message
    assert message.startswith("主题阅读活动 · ")  # the cell, in the attachment's words
    _nothing_stored()


def test_the_largest_believable_figures_are_accepted(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    _adjust(coordinator, campaign_2027, value=100_000_000,
            cell="themed_reading.county_participants")  # fmt: skip
    _adjust(coordinator, campaign_2027, value="1000000")
    _adjust(coordinator, campaign_2027, value="是", cell="learning_week.provincial")
    assert _stats(campaign_2027).current["learning_week.provincial"] == 1


def test_an_adjustment_needs_a_reason(campaign_2027: CampaignYear, coordinator: User) -> None:
    with pytest.raises(ValidationError) as raised:
        _adjust(coordinator, campaign_2027, reason="   ")
    assert raised.value.message_dict["reason"] == [
        f"{CELL_LABEL}: say why the figure differs from the computed 0 "
        "(for example: events not entered on the platform)."
    ]
    _nothing_stored()


def test_unknown_cell_is_refused(campaign_2027: CampaignYear, coordinator: User) -> None:
    with pytest.raises(ValidationError) as raised:
        _adjust(coordinator, campaign_2027, cell="themed_reading.karaoke")
    assert "no cell “themed_reading.karaoke”" in raised.value.message_dict["cell"][0]
    _nothing_stored()


def test_submitting_freezes_every_cell_and_locks_the_table(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    event(level="county", city="延庆区", participants=40)
    _header(coordinator, campaign_2027)
    _adjust(coordinator, campaign_2027)
    submission = statistics_submit(actor=coordinator, campaign_year=campaign_2027,
                                   region_code="110000")  # fmt: skip
    assert submission.number == 1
    assert submission.submitted_by == coordinator
    assert len(submission.cells) == 37
    assert submission.cells[CELL] == {
        "computed": 1, "value": 12, "reason": "县区报表补充",
        "adjusted_by": str(coordinator),
        "adjusted_at": submission.cells[CELL]["adjusted_at"],
    }  # fmt: skip
    assert submission.cells["themed_reading.county_participants"] == {"computed": 40, "value": 40}
    assert submission.header["contact_name"] == "王老师"
    stats = _stats(campaign_2027)
    assert stats.locked
    assert stats.reported[CELL] == 12

    with pytest.raises(ValidationError) as raised:
        _adjust(coordinator, campaign_2027, value=13)
    assert "is locked" in raised.value.message_dict["value"][0]
    assert CELL_LABEL in raised.value.message_dict["value"][0]
    with pytest.raises(ValidationError):
        _header(coordinator, campaign_2027)
    with pytest.raises(ValidationError, match="already submitted"):
        statistics_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000")
    assert StatisticsAdjustment.objects.get().value == 12
    assert str(ERROR_LOCKED).startswith("%(region)s")


def test_submitting_needs_the_contact_person_and_office_phone(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as raised:
        statistics_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000")
    assert set(raised.value.message_dict) == {"contact_name", "office_phone"}
    assert "联系人" in raised.value.message_dict["contact_name"][0]
    _nothing_stored()


def test_later_event_changes_show_as_differing_from_the_submitted_table(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    first = event(level="county", city="延庆区", participants=40)
    _header(coordinator, campaign_2027)
    statistics_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000")
    event(level="county", city="密云区", participants=5)
    first.status = "cancelled"
    first.save()
    stats = _stats(campaign_2027)
    # Still one county city and one activity (another one), but other person-times.
    assert stats.differs == ["themed_reading.county_participants"]
    view = stats.cell("themed_reading.county_participants")
    assert (view.submitted, view.submitted_computed, view.computed, view.differs) == (
        40, 40, 5, True,
    )  # fmt: skip
    assert stats.reported["themed_reading.county_participants"] == 40  # submitted stands


def test_the_ministry_reopens_with_a_reason_and_the_coordinator_submits_again(
    campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    _header(coordinator, campaign_2027)
    statistics_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000")
    with pytest.raises(PermissionDenied):
        statistics_reopen(actor=coordinator, campaign_year=campaign_2027, region_code="110000",
                          reason="请核实")  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        statistics_reopen(actor=ministry_user, campaign_year=campaign_2027,
                          region_code="110000", reason=" ")  # fmt: skip
    assert "reason" in raised.value.message_dict
    with time_machine.travel(AFTER_DEADLINE):
        statistics_reopen(actor=ministry_user, campaign_year=campaign_2027,
                          region_code="110000", reason="请核实县级人次")  # fmt: skip
        stats = _stats(campaign_2027)
        assert stats.reopened
        assert not stats.locked
        _adjust(coordinator, campaign_2027)  # after the deadline, because it was reopened
        second = statistics_submit(actor=coordinator, campaign_year=campaign_2027,
                                   region_code="110000")  # fmt: skip
    assert second.number == 2
    first = StatisticsSubmission.objects.get(number=1)
    assert first.reopened_by == ministry_user
    assert first.reopen_reason == "请核实县级人次"
    with pytest.raises(ValidationError, match="nothing to reopen"):
        statistics_reopen(actor=ministry_user, campaign_year=campaign_2027, region_code="310000",
                          reason="x")  # fmt: skip


def test_after_the_deadline_only_the_ministry_writes(
    campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    with time_machine.travel(AFTER_DEADLINE):
        with pytest.raises(PermissionDenied, match="was due by"):
            _adjust(coordinator, campaign_2027)
        _nothing_stored()
        _adjust(ministry_user, campaign_2027)
        _header(ministry_user, campaign_2027)
        statistics_submit(actor=ministry_user, campaign_year=campaign_2027, region_code="110000")
    assert _stats(campaign_2027).locked


@pytest.mark.parametrize("who", ["other_coordinator", "lecturer", "resident", "anonymous"])
def test_nobody_else_writes_a_region_table(
    campaign_2027: CampaignYear, who: str, request: pytest.FixtureRequest
) -> None:
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _adjust(actor, campaign_2027)
    with pytest.raises(PermissionDenied):
        _header(actor, campaign_2027)
    with pytest.raises(PermissionDenied):
        statistics_submit(actor=actor, campaign_year=campaign_2027, region_code="110000")
    _nothing_stored()


def test_another_regions_table_is_refused_with_both_regions_named(
    campaign_2027: CampaignYear, other_coordinator: User
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        _adjust(other_coordinator, campaign_2027)
    assert "310000" in str(raised.value)
    assert "110000" in str(raised.value)


def test_unknown_region_is_refused_for_the_ministry(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    with pytest.raises(ValidationError) as raised:
        _adjust(ministry_user, campaign_2027, code="999999")
    assert "999999" in raised.value.message_dict["region"][0]
    _nothing_stored()


def test_header_fields_too_long_are_refused(campaign_2027: CampaignYear) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR, region_id="110000")
    with pytest.raises(ValidationError) as raised:
        statistics_header_update(actor=coordinator, campaign_year=campaign_2027,
                                 region_code="110000", mobile="1" * 41)  # fmt: skip
    assert "手机号码" in raised.value.message_dict["mobile"][0]
    _nothing_stored()
