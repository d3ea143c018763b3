"""Campaign years, applications, runs, pins and versions through the services."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from scheduling.models import (
    AllocationRun,
    ApplicationWeek,
    CampaignState,
    CampaignYear,
    PublishedVersion,
    RunStatus,
    Week,
    WeekApplication,
)
from scheduling.selectors import latest_run, version_changes
from scheduling.services import (
    AllocationConflict,
    allocation_run,
    application_submit,
    campaign_year_open,
    day_override_set,
    pin_set,
    version_publish,
    week_update,
)
from scheduling.services.applications import (
    ERROR_RANKED_TWICE,
    ERROR_TOO_MANY_RANKS,
    ERROR_WANTED_AND_AVOIDED,
    ERROR_WEEK_OUTSIDE_YEAR,
)

pytestmark = pytest.mark.django_db


def submit(
    actor: User, year: CampaignYear, region: str = "110000", **overrides: object
) -> WeekApplication:
    values: dict[str, object] = {
        "ranked_weeks": [12, 20, 36],
        "avoided_weeks": [30],
        "theme": "书香京城",
        "contact_name": "王老师",
    }
    values.update(overrides)
    return application_submit(actor=actor, campaign_year=year, region_code=region, **values)  # type: ignore[arg-type]


def messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


# --- campaign years -----------------------------------------------------------------------


def test_open_year_creates_iso_weeks_with_golden_weeks_blocked(campaign_2027: CampaignYear) -> None:
    weeks = list(campaign_2027.weeks.order_by("number"))
    assert len(weeks) == 52
    assert weeks[0].starts_on == dt.date(2027, 1, 4)
    assert {w.number for w in weeks if w.blocked} == {5, 6, 39, 40}
    assert weeks[4].block_reason == "春节黄金周"
    assert all(w.capacity == 1 for w in weeks)


def test_open_year_twice_is_refused(campaign_2027: CampaignYear, ministry_user: User) -> None:
    with pytest.raises(ValidationError, match="already open"):
        campaign_year_open(actor=ministry_user, year=2027)


def test_two_ministry_staff_opening_the_same_year_at_once_get_the_same_clear_refusal(
    campaign_2027: CampaignYear, ministry_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both passed the 'already open?' check before either saved: the loser's save hits the
    unique constraint, and must read as the same message, not a server error."""
    from django.db.models import Model, QuerySet

    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    monkeypatch.setattr(Model, "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(ValidationError, match="already open"):
        campaign_year_open(actor=ministry_user, year=2027)
    monkeypatch.undo()
    assert CampaignYear.objects.filter(year=2027).count() == 1
    assert campaign_2027.weeks.count() == 52


def test_only_ministry_opens_a_year(coordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        campaign_year_open(actor=coordinator, year=2028)
    assert not CampaignYear.objects.exists()


def test_open_year_out_of_range_is_refused(ministry_user: User) -> None:
    with pytest.raises(ValidationError, match="2024"):
        campaign_year_open(actor=ministry_user, year=2020)


# --- weeks and overrides ------------------------------------------------------------------


def test_week_capacity_below_zero_is_refused(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        week_update(actor=ministry_user, campaign_year=campaign_2027, number=10, capacity=-1)
    assert "-1 is not allowed" in messages(excinfo.value, "capacity")
    assert Week.objects.get(campaign_year=campaign_2027, number=10).capacity == 1


def test_week_outside_year_is_refused(campaign_2027: CampaignYear, ministry_user: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        week_update(actor=ministry_user, campaign_year=campaign_2027, number=53, capacity=2)
    assert "from 1 to 52" in messages(excinfo.value, "number")


def test_block_without_reason_is_refused(campaign_2027: CampaignYear, ministry_user: User) -> None:
    with pytest.raises(ValidationError):
        week_update(actor=ministry_user, campaign_year=campaign_2027, number=10, blocked=True)
    assert not Week.objects.get(campaign_year=campaign_2027, number=10).blocked


def test_manual_week_survives_a_holiday_recomputation(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    week_update(actor=ministry_user, campaign_year=campaign_2027, number=5, blocked=False)
    day_override_set(
        actor=ministry_user, campaign_year=campaign_2027, date=dt.date(2027, 2, 20), kind="workday"
    )
    assert not Week.objects.get(campaign_year=campaign_2027, number=5).blocked


def test_day_override_can_unblock_a_golden_week(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    for day in (4, 5):  # National Day's Monday and Tuesday declared ordinary days
        day_override_set(
            actor=ministry_user,
            campaign_year=campaign_2027,
            date=dt.date(2027, 10, day),
            kind="normal",
        )
    assert not Week.objects.get(campaign_year=campaign_2027, number=40).blocked
    assert Week.objects.get(campaign_year=campaign_2027, number=39).blocked


def test_day_override_outside_year_is_refused(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    with pytest.raises(ValidationError, match="outside campaign year 2027"):
        day_override_set(
            actor=ministry_user,
            campaign_year=campaign_2027,
            date=dt.date(2028, 1, 3),
            kind="holiday",
        )


def test_coordinator_cannot_change_weeks(campaign_2027: CampaignYear, coordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        week_update(actor=coordinator, campaign_year=campaign_2027, number=10, capacity=0)


# --- applications -------------------------------------------------------------------------


def test_coordinator_applies_for_own_region(campaign_2027: CampaignYear, coordinator: User) -> None:
    application = submit(coordinator, campaign_2027)
    ranked = list(application.weeks.filter(rank__isnull=False).values_list("week_number", "rank"))
    assert ranked == [(12, 1), (20, 2), (36, 3)]
    assert list(
        application.weeks.filter(rank__isnull=True).values_list("week_number", flat=True)
    ) == [30]


def test_resubmitting_replaces_the_application(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    submit(coordinator, campaign_2027)
    submit(coordinator, campaign_2027, ranked_weeks=[44], avoided_weeks=[])
    assert WeekApplication.objects.count() == 1
    assert list(ApplicationWeek.objects.values_list("week_number", "rank")) == [(44, 1)]


def test_another_regions_application_is_refused(
    campaign_2027: CampaignYear, other_coordinator: User
) -> None:
    with pytest.raises(PermissionDenied, match="110000"):
        submit(other_coordinator, campaign_2027, region="110000")
    assert not WeekApplication.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        (
            {"ranked_weeks": [53]},
            "ranked_weeks",
            (ERROR_WEEK_OUTSIDE_YEAR, {"week": 53, "year": 2027, "last": 52}),
        ),
        ({"ranked_weeks": [12, 12]}, "ranked_weeks", (ERROR_RANKED_TWICE, {"week": 12})),
        (
            {"ranked_weeks": [1, 2, 3, 4, 7, 8]},
            "ranked_weeks",
            (ERROR_TOO_MANY_RANKS, {"max": 5, "count": 6}),
        ),
        ({"ranked_weeks": [5]}, "ranked_weeks", "Week 5"),
        (
            {"ranked_weeks": [12], "avoided_weeks": [12]},
            "avoided_weeks",
            (ERROR_WANTED_AND_AVOIDED, {"week": 12}),
        ),
        ({"ranked_weeks": []}, "ranked_weeks", "at least one"),
        ({"avoided_weeks": [0]}, "avoided_weeks", "not in 2027"),
        ({"theme": ""}, "theme", ""),
    ],
)
def test_bad_application_is_refused_and_keeps_the_stored_one(
    campaign_2027: CampaignYear,
    coordinator: User,
    overrides: dict[str, object],
    field: str,
    expected: str | tuple[object, dict[str, object]],
) -> None:
    if isinstance(expected, tuple):  # formatted now, in the test's language, not at collection
        template, params = expected
        expected = template % params  # type: ignore[operator]
    submit(coordinator, campaign_2027)
    with pytest.raises(ValidationError) as excinfo:
        submit(coordinator, campaign_2027, **overrides)
    assert expected in messages(excinfo.value, field)
    assert list(
        ApplicationWeek.objects.filter(rank__isnull=False).values_list("week_number", flat=True)
    ) == [12, 20, 36]


def test_blocked_week_message_names_its_dates_and_reason(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        submit(coordinator, campaign_2027, ranked_weeks=[39])
    text = messages(excinfo.value, "ranked_weeks")
    assert "国庆黄金周" in text
    assert "Week 39" in text or "第" in text


def test_application_after_deadline_is_refused_for_coordinators(
    campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    submit(coordinator, campaign_2027)
    with time_machine.travel(dt.datetime(2026, 12, 1, 0, 0, 1, tzinfo=dt.UTC)):
        with pytest.raises(PermissionDenied, match="closed"):
            submit(coordinator, campaign_2027, ranked_weeks=[44])
        submit(ministry_user, campaign_2027, ranked_weeks=[44])  # the Ministry still may
    assert list(ApplicationWeek.objects.filter(rank=1).values_list("week_number", flat=True)) == [
        44
    ]


def test_application_just_before_deadline_in_shanghai_is_accepted(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    # 30 November 23:59 in Shanghai is 15:59 UTC.
    with time_machine.travel(dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC)):
        submit(coordinator, campaign_2027)
    with (
        time_machine.travel(dt.datetime(2026, 11, 30, 16, 0, 1, tzinfo=dt.UTC)),
        pytest.raises(PermissionDenied),
    ):
        submit(coordinator, campaign_2027)


# --- runs, pins, versions -----------------------------------------------------------------


def test_run_gives_every_region_one_open_week(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    assert run.status == RunStatus.SOLVED
    assert len(run.result) == 37
    assert len(set(run.result.values())) == 37  # capacity 1 everywhere
    assert not set(run.result.values()) & {5, 6, 39, 40}
    assert run.worst_cost == 1
    assert run.inputs["requests"][0]["region"] == "110000"
    assert run.run_by == ministry_user
    applied_2027.refresh_from_db()
    assert applied_2027.state == CampaignState.ALLOCATING


def test_run_without_applications_is_refused(
    campaign_2027: CampaignYear, ministry_user: User
) -> None:
    with pytest.raises(ValidationError, match="No region has applied"):
        allocation_run(actor=ministry_user, campaign_year=campaign_2027)
    assert not AllocationRun.objects.exists()


def test_run_on_a_stale_view_is_refused(applied_2027: CampaignYear, ministry_user: User) -> None:
    first = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    with pytest.raises(AllocationConflict, match=f"#{first.pk}"):
        allocation_run(actor=ministry_user, campaign_year=applied_2027, expected_latest_run_id=None)
    assert AllocationRun.objects.count() == 1


def test_coordinator_cannot_run(applied_2027: CampaignYear, coordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        allocation_run(actor=coordinator, campaign_year=applied_2027)


def test_impossible_run_is_stored_with_regions_named(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    for number in range(1, 53):
        if number not in (5, 6, 39, 40):
            week_update(
                actor=ministry_user,
                campaign_year=applied_2027,
                number=number,
                capacity=0 if number > 30 else 1,
            )
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    assert run.status == RunStatus.IMPOSSIBLE
    assert run.result == {}
    assert any("37" in p["message"] or p["regions"] for p in run.problems)
    with pytest.raises(ValidationError, match="found no allocation"):
        version_publish(actor=ministry_user, campaign_year=applied_2027, run=run)


def test_pinned_region_stays_and_others_move_around(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    first = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    beijing_week = first.result["110000"]
    pin_set(
        actor=ministry_user,
        campaign_year=applied_2027,
        region_code="310000",
        week_number=beijing_week,
    )
    second = allocation_run(
        actor=ministry_user, campaign_year=applied_2027, expected_latest_run_id=first.pk
    )
    assert second.result["310000"] == beijing_week
    assert second.result["110000"] != beijing_week
    assert "310000" not in second.costs  # pinned regions do not count in the objective


def test_pin_to_blocked_week_is_refused(applied_2027: CampaignYear, ministry_user: User) -> None:
    with pytest.raises(ValidationError, match="Week 5 is not an open week"):
        pin_set(
            actor=ministry_user, campaign_year=applied_2027, region_code="110000", week_number=5
        )


def test_publish_creates_v1_then_v2_with_a_diff_and_tells_moved_coordinators(
    applied_2027: CampaignYear,
    ministry_user: User,
    coordinator: User,
    other_coordinator: User,
    django_capture_on_commit_callbacks: object,
    settings: object,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # type: ignore[attr-defined]
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        run1 = allocation_run(actor=ministry_user, campaign_year=applied_2027)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            v1 = version_publish(actor=ministry_user, campaign_year=applied_2027, run=run1)
        assert v1.number == 1
        assert {m.to[0] for m in mail.outbox} == {coordinator.email, other_coordinator.email}
        mail.outbox.clear()

        new_week = next(
            w for w in range(1, 53) if w not in run1.result.values() and w not in (5, 6, 39, 40)
        )
        pin_set(
            actor=ministry_user,
            campaign_year=applied_2027,
            region_code="110000",
            week_number=new_week,
        )
        run2 = allocation_run(
            actor=ministry_user, campaign_year=applied_2027, expected_latest_run_id=run1.pk
        )
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            v2 = version_publish(actor=ministry_user, campaign_year=applied_2027, run=run2)
    finally:
        app.conf.task_always_eager = False
    assert v2.number == 2
    moved = [c for c in version_changes(v2) if c.moved]
    assert [(c.region_code, c.old_week, c.new_week) for c in moved] == [
        ("110000", run1.result["110000"], new_week)
    ]
    assert [m.to[0] for m in mail.outbox] == [coordinator.email]
    assert f"{new_week}" in mail.outbox[0].subject
    # v1 is untouched by v2.
    assert v1.assignments.get(region_id="110000").week_number == run1.result["110000"]


def test_same_run_cannot_be_published_twice(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    run = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    version_publish(actor=ministry_user, campaign_year=applied_2027, run=run)
    with pytest.raises(AllocationConflict, match="already published as version 1"):
        version_publish(actor=ministry_user, campaign_year=applied_2027, run=run)
    assert PublishedVersion.objects.count() == 1


def test_older_run_cannot_be_published(applied_2027: CampaignYear, ministry_user: User) -> None:
    run1 = allocation_run(actor=ministry_user, campaign_year=applied_2027)
    allocation_run(actor=ministry_user, campaign_year=applied_2027, expected_latest_run_id=run1.pk)
    with pytest.raises(AllocationConflict, match="Only the latest run"):
        version_publish(actor=ministry_user, campaign_year=applied_2027, run=run1)
    assert latest_run(applied_2027) != run1


def test_last_years_published_ranks_feed_this_years_tie_break(
    applied_2027: CampaignYear, ministry_user: User
) -> None:
    from scheduling.services.allocation import build_problem

    year_2026 = campaign_year_open(actor=ministry_user, year=2026)
    submit(ministry_user, year_2026, region="110000", ranked_weeks=[12], avoided_weeks=[])
    submit(ministry_user, year_2026, region="310000", ranked_weeks=[12], avoided_weeks=[])
    run = allocation_run(actor=ministry_user, campaign_year=year_2026)
    version_publish(actor=ministry_user, campaign_year=year_2026, run=run)
    loser = "110000" if run.result["110000"] != 12 else "310000"

    problem, record = build_problem(applied_2027)
    previous = {r.region: r.previous_cost for r in problem.requests}
    assert previous[loser] == 6  # did not get its week last year: it fared worse
    assert previous[{"110000": "310000", "310000": "110000"}[loser]] == 1
    assert record["requests"][0]["previous_cost"] is not None
