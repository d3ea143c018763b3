"""Allocation runs, pins and published versions of a campaign year.

A run stores its inputs and outcome whether or not an allocation exists. Two Ministry users
starting runs at once: the year's row is locked without waiting, and a run based on an older
state than the latest is refused, so one wins and the other is told — nothing half-written.
"""

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.permissions import require_ministry
from scheduling.allocator import (
    AllocationImpossible,
    AllocationProblem,
    InvalidProblem,
    RegionRequest,
    allocate,
)
from scheduling.models import (
    AllocationRun,
    CampaignState,
    CampaignYear,
    Pin,
    PublishedVersion,
    Region,
    RunStatus,
    VersionAssignment,
    Week,
    WeekApplication,
)

ERROR_RUN_IN_PROGRESS = _(
    "Another Ministry user is running or publishing the allocation of %(year)s right now; "
    "wait a moment and look at their result."
)
ERROR_STALE_RUN = _(
    "Run #%(run)s was made by %(user)s while you were looking at an older state; "
    "review it before running again."
)
ERROR_NO_APPLICATIONS = _("No region has applied for %(year)s yet; there is nothing to allocate.")
ERROR_PUBLISH_NOT_LATEST = _(
    "Only the latest run (#%(latest)s) can be published; run #%(run)s is older."
)
ERROR_PUBLISH_IMPOSSIBLE = _("Run #%(run)s found no allocation; fix its problems and run again.")
ERROR_ALREADY_PUBLISHED = _("Run #%(run)s is already published as version %(version)s.")
ERROR_PIN_WEEK = _("Week %(week)s is not an open week of %(year)s.")


class AllocationConflict(Exception):  # noqa: N818 - a domain outcome, not a programming error
    """Someone else's run or publication got there first; the message says whose."""


def _lock_year(campaign_year: CampaignYear) -> CampaignYear:
    try:
        return CampaignYear.objects.select_for_update(nowait=True).get(pk=campaign_year.pk)
    except DatabaseError as exc:  # PostgreSQL: the row is locked by the other run
        raise AllocationConflict(ERROR_RUN_IN_PROGRESS % {"year": campaign_year.year}) from exc


def _previous_costs(year: int) -> dict[str, int]:
    latest = (
        PublishedVersion.objects.filter(campaign_year__year=year - 1).order_by("-number").first()
    )
    if latest is None:
        return {}
    return {a.region_id: a.cost for a in latest.assignments.all() if a.cost is not None}


def build_problem(campaign_year: CampaignYear) -> tuple[AllocationProblem, dict[str, Any]]:
    """The allocator's input from the stored year, and the same as JSON for the run's record."""
    weeks = list(Week.objects.filter(campaign_year=campaign_year))
    applications = list(
        WeekApplication.objects.filter(campaign_year=campaign_year).prefetch_related("weeks")
    )
    pins = {p.region_id: p.week_number for p in Pin.objects.filter(campaign_year=campaign_year)}
    previous = _previous_costs(campaign_year.year)
    requests = []
    for application in applications:
        choices = list(application.weeks.all())
        ranked = tuple(c.week_number for c in sorted(choices, key=lambda c: c.rank or 0) if c.rank)
        avoid = frozenset(c.week_number for c in choices if c.rank is None)
        requests.append(
            RegionRequest(
                region=application.region_id,
                ranked=ranked,
                avoid=avoid,
                previous_cost=previous.get(application.region_id),
            )
        )
    # Regions that did not apply still get a week (every region gets exactly one).
    applied = {r.region for r in requests}
    for code in Region.objects.exclude(code__in=applied).values_list("code", flat=True):
        requests.append(RegionRequest(region=code, previous_cost=previous.get(code)))
    problem = AllocationProblem(
        weeks=tuple(w.number for w in weeks),
        capacity={w.number: w.capacity for w in weeks},
        blocked=frozenset(w.number for w in weeks if w.blocked),
        requests=tuple(sorted(requests, key=lambda r: r.region)),
        pins=pins,
    )
    record = {
        "weeks": [
            {"number": w.number, "capacity": w.capacity, "blocked": w.blocked} for w in weeks
        ],
        "requests": [
            {
                "region": r.region,
                "ranked": list(r.ranked),
                "avoid": sorted(r.avoid),
                "previous_cost": r.previous_cost,
                "applied": r.region in applied,
            }
            for r in problem.requests
        ],
        "pins": pins,
    }
    return problem, record


def allocation_run(
    *,
    actor: Any,
    campaign_year: CampaignYear,
    expected_latest_run_id: int | None = None,
    check_stale: bool = True,
) -> AllocationRun:
    """Run the allocator on the stored applications and pins; the run is stored either way."""
    require_ministry(actor)
    with transaction.atomic():
        year = _lock_year(campaign_year)
        latest = AllocationRun.objects.filter(campaign_year=year).order_by("-id").first()
        if check_stale and latest is not None and latest.pk != expected_latest_run_id:
            raise AllocationConflict(
                ERROR_STALE_RUN % {"run": latest.pk, "user": latest.run_by or "?"}
            )
        if not WeekApplication.objects.filter(campaign_year=year).exists():
            raise ValidationError(ERROR_NO_APPLICATIONS % {"year": year.year})
        problem, record = build_problem(year)
        started = time.perf_counter()
        run = AllocationRun(campaign_year=year, run_by=actor, inputs=record)
        try:
            allocation = allocate(problem)
        except InvalidProblem as exc:
            run.status = RunStatus.IMPOSSIBLE
            run.problems = [{"region": "", "reason": "invalid", "message": m} for m in exc.messages]
        except AllocationImpossible as exc:
            run.status = RunStatus.IMPOSSIBLE
            run.problems = [
                {"region": p.region, "reason": p.reason, "message": p.message,
                 "regions": list(p.regions), "weeks": list(p.weeks)}
                for p in exc.problems
            ]  # fmt: skip
        else:
            run.status = RunStatus.SOLVED
            run.result = allocation.weeks
            run.costs = allocation.costs
            run.worst_cost = allocation.worst_cost
            run.total_cost = allocation.total_cost
        run.solve_ms = round((time.perf_counter() - started) * 1000, 2)
        run.save()
        if year.state == CampaignState.OPEN:
            year.state = CampaignState.ALLOCATING
            year.save(update_fields=["state", "updated_at"])
        return run


@transaction.atomic
def pin_set(*, actor: Any, campaign_year: CampaignYear, region_code: str, week_number: int) -> Pin:
    """Fix a region to a week (or move it there); the next run places everyone else around it."""
    require_ministry(actor)
    week = Week.objects.filter(campaign_year=campaign_year, number=week_number).first()
    if week is None or not week.is_open:
        raise ValidationError(
            {"week_number": ERROR_PIN_WEEK % {"week": week_number, "year": campaign_year.year}}
        )
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError({"region": _("Unknown region %(code)s.") % {"code": region_code}})
    pin, _created = Pin.objects.update_or_create(
        campaign_year=campaign_year,
        region_id=region_code,
        defaults={"week_number": week_number, "pinned_by": actor},
    )
    return pin


@transaction.atomic
def pin_clear(*, actor: Any, campaign_year: CampaignYear, region_code: str) -> None:
    require_ministry(actor)
    Pin.objects.filter(campaign_year=campaign_year, region_id=region_code).delete()


def version_publish(
    *, actor: Any, campaign_year: CampaignYear, run: AllocationRun, note: str = ""
) -> PublishedVersion:
    """Publish a run as the next version; coordinators whose week changed are told after commit."""
    require_ministry(actor)
    with transaction.atomic():
        year = _lock_year(campaign_year)
        latest = AllocationRun.objects.filter(campaign_year=year).order_by("-id").first()
        if latest is None or latest.pk != run.pk:
            raise AllocationConflict(
                ERROR_PUBLISH_NOT_LATEST % {"latest": latest.pk if latest else "-", "run": run.pk}
            )
        if run.status != RunStatus.SOLVED:
            raise ValidationError(ERROR_PUBLISH_IMPOSSIBLE % {"run": run.pk})
        existing = run.versions.first()
        if existing is not None:
            raise AllocationConflict(
                ERROR_ALREADY_PUBLISHED % {"run": run.pk, "version": existing.number}
            )
        previous = year.versions.order_by("-number").first()
        version = PublishedVersion.objects.create(
            campaign_year=year,
            number=(previous.number + 1) if previous else 1,
            run=run,
            published_by=actor,
            note=note.strip()[:300],
        )
        themes = dict(
            WeekApplication.objects.filter(campaign_year=year).values_list("region_id", "theme")
        )
        VersionAssignment.objects.bulk_create(
            VersionAssignment(
                version=version,
                region_id=code,
                week_number=week,
                cost=run.costs.get(code),
                theme=themes.get(code, ""),
            )
            for code, week in sorted(run.result.items())
        )
        year.state = CampaignState.PUBLISHED
        year.save(update_fields=["state", "updated_at"])
        from scheduling.tasks import send_version_notices

        send_version_notices.delay_on_commit(version.pk)  # type: ignore[attr-defined]
        return version


def version_notify(*, version_id: int) -> int:
    """Email each coordinator whose region's week is new or changed in this version."""
    from scheduling.selectors import version_changes

    version = PublishedVersion.objects.select_related("campaign_year").get(pk=version_id)
    changes = {c.region_code: c for c in version_changes(version) if c.moved}
    if not changes:
        return 0
    coordinators = User.objects.filter(
        role=Role.COORDINATOR, region_id__in=changes, is_active=True
    ).exclude(email="")
    sent = 0
    for user in coordinators:
        change = changes[str(user.region_id)]
        with translation.override(user.language):
            context = {"user": user, "version": version, "change": change}
            subject = render_to_string("scheduling/email/version_subject.txt", context).strip()
            body = render_to_string("scheduling/email/version_body.txt", context)
        message = EmailMultiAlternatives(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
        )
        message.send()
        sent += 1
    return sent
