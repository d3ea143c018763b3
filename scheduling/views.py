"""Pages of the campaign year: the public year calendar, a region's application for its Learning
Week, and the Ministry's allocation dashboard. Thin: parse, call one service or selector, render.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import is_ministry, require_ministry, require_region_manager
from scheduling.allocator import UNRANKED_COST
from scheduling.forms import (
    ApplicationForm,
    DayOverrideForm,
    OpenYearForm,
    PinForm,
    PublishForm,
    RegionForm,
    RunForm,
    UnpinForm,
    WeekForm,
    add_service_errors,
    initial_from,
)
from scheduling.models import AllocationRun, CampaignState, CampaignYear, Pin, Region, RunStatus
from scheduling.selectors import (
    application_overview,
    latest_run,
    latest_version,
    next_year_after,
    public_calendar_year,
    rank_histogram,
    time_left,
    version_changes,
    year_calendar,
)
from scheduling.services import (
    AllocationConflict,
    allocation_run,
    application_submit,
    campaign_year_open,
    day_override_set,
    pin_clear,
    pin_set,
    version_publish,
    week_update,
)
from scheduling.yearsvg import coverage, histogram_svg, week_dates, year_svg

View = Callable[..., HttpResponse]


def forbidden_as_page(view: View) -> View:
    """A refused permission shows the page layout with the refusal's own message (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            context = {"message": str(exc) or _("You may not open this page.")}
            return render(request, "scheduling/forbidden.html", context, status=403)

    return wrapper


def ministry_page(view: View) -> View:
    """Signed-in Ministry staff only: others get the 403 page, anonymous users the sign-in."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_ministry(request.user)
        return view(request, *args, **kwargs)

    return login_required(forbidden_as_page(checked))


def _year(year: int) -> CampaignYear:
    return get_object_or_404(CampaignYear, year=year)


# --- The public year calendar ------------------------------------------------------------


@require_safe
def year_latest(request: HttpRequest) -> HttpResponse:
    """This year's calendar while it is published; else the latest published or open year."""
    year = public_calendar_year()
    if year is None:
        raise Http404(_("No campaign year has been opened yet."))
    return redirect("scheduling:year", year=year)


@require_safe
def year_page(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    rows = year_calendar(campaign_year)
    version = latest_version(campaign_year)
    regions = list(Region.objects.all())
    context = {
        "campaign_year": campaign_year,
        "rows": rows,
        "version": version,
        "coverage": coverage(rows),
        "svg": year_svg(rows, regions, year=year, published=version is not None),
        "years": list(CampaignYear.objects.order_by("year").values_list("year", flat=True)),
        "next_year": next_year_after(campaign_year),
        # A column no week fills is left out (it only narrowed the others on a phone).
        "has_themes": any(p.theme for row in rows for p in row.placements),
    }
    return render(request, "scheduling/year.html", context)


def _newest_year() -> int:
    """The most recent campaign year opened; 404 when there is none yet."""
    year = CampaignYear.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        raise Http404(_("No campaign year has been opened yet."))
    return year


# --- A region's application --------------------------------------------------------------


@require_safe
@login_required
def apply_latest(request: HttpRequest) -> HttpResponse:
    year = _newest_year()
    return redirect("scheduling:apply", year=year)


@login_required
@forbidden_as_page
def apply(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    user: Any = request.user
    code = request.GET.get("region") or user.region_id or ""
    if is_ministry(user) and not request.GET.get("region"):
        pick = RegionForm(regions=Region.objects.all())
        return render(
            request, "scheduling/apply_region.html", {"campaign_year": campaign_year, "form": pick}
        )
    require_region_manager(user, code)
    region = get_object_or_404(Region, code=code)
    status = next(s for s in application_overview(campaign_year) if s.region.code == code)
    left = time_left(campaign_year.applications_deadline)
    # The service refuses a late or published application; the page says so before anyone types.
    closed = campaign_year.state == CampaignState.PUBLISHED or not left
    read_only = closed and not is_ministry(user)
    weeks = list(campaign_year.weeks.all())
    if request.method == "POST":
        form = ApplicationForm(request.POST, weeks=weeks)
        if form.is_valid():
            try:
                application_submit(
                    actor=user, campaign_year=campaign_year, region_code=code, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The application of %(region)s for %(year)s is saved.")
                    % {"region": region.name, "year": year},
                )
                url = reverse("scheduling:apply", kwargs={"year": year})
                return redirect(f"{url}?region={code}" if is_ministry(user) else url)
    else:
        form = ApplicationForm(initial=initial_from(status), weeks=weeks, read_only=read_only)
    context = {
        "campaign_year": campaign_year,
        "region": region,
        "form": form,
        "application": status.application,
        "closed": closed,
        "read_only": read_only,
        "time_left": left,
    }
    return render(request, "scheduling/apply.html", context)


# --- The Ministry's dashboard ------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    region: Region
    week: int | None
    dates: str
    rank: str


def _rank_label(cost: int | None, pinned: bool) -> str:
    if pinned:
        return _("pinned")
    if cost is None:
        return "—"
    return _("unranked") if cost >= UNRANKED_COST else str(cost)


def _dashboard(request: HttpRequest, campaign_year: CampaignYear, **forms: Any) -> HttpResponse:
    overview = application_overview(campaign_year)
    regions = [s.region for s in overview]
    names = {r.code: r.name for r in regions}
    run = latest_run(campaign_year)
    weeks = list(campaign_year.weeks.all())
    versions = list(campaign_year.versions.select_related("published_by"))
    dates = {w.number: week_dates(w.starts_on, w.ends_on) for w in weeks}
    results: list[ResultRow] = []
    histogram = None
    if run is not None and run.status == RunStatus.SOLVED:
        for r in regions:
            week = run.result.get(r.code)
            pinned = week is not None and r.code not in run.costs
            rank = _rank_label(run.costs.get(r.code), pinned)
            results.append(ResultRow(r, week, dates.get(week, "") if week else "", rank))
        counts = rank_histogram(run)
        special = {"unranked": _rank_label(UNRANKED_COST, False), "pinned": _rank_label(None, True)}
        bars = [(special.get(k, k), n) for k, n in counts.items()]
        histogram = {
            "bars": bars,
            "svg": histogram_svg(bars, title=_("Regions by the rank of the week they got")),
        }
    history = [
        (v, [(names.get(c.region_code, c.region_code), c) for c in version_changes(v)
             if c.old_week is not None and c.moved])
        for v in versions
    ]  # fmt: skip
    run_id = run.pk if run else None
    forms.setdefault("run_form", RunForm(initial={"expected_latest_run_id": run_id}))
    forms.setdefault("publish_form", PublishForm(initial={"run_id": run_id}, prefix="publish"))
    forms.setdefault("pin_form", PinForm(regions=regions, weeks=weeks, prefix="pin"))
    forms.setdefault("week_form", WeekForm(weeks=weeks, prefix="week"))
    forms.setdefault("day_form", DayOverrideForm(prefix="day"))
    context = {
        "campaign_year": campaign_year,
        "overview": overview,
        "applied": sum(1 for s in overview if s.application is not None),
        "time_left": time_left(campaign_year.applications_deadline),
        "run": run,
        "run_worst": _rank_label(run.worst_cost, False) if run else "",
        "results": results,
        "histogram": histogram,
        "run_published": any(run is not None and v.run_id == run.pk for v in versions),
        "pins": Pin.objects.filter(campaign_year=campaign_year).select_related("region"),
        "weeks": weeks,
        "history": history,
        **forms,
    }
    return render(request, "scheduling/manage.html", context)


def _back(year: int, anchor: str) -> HttpResponseRedirect:
    return redirect(f"{reverse('scheduling:manage', kwargs={'year': year})}#{anchor}")


@require_safe
@ministry_page
def manage_latest(request: HttpRequest) -> HttpResponse:
    year = CampaignYear.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return redirect("scheduling:manage_open")
    return redirect("scheduling:manage", year=year)


@require_http_methods(["GET", "HEAD", "POST"])
@ministry_page
def manage_open(request: HttpRequest) -> HttpResponse:
    """Open a campaign year: its weeks, golden weeks blocked, and the regions may apply."""
    years = list(CampaignYear.objects.order_by("year").values_list("year", flat=True))
    if request.method == "POST":
        form = OpenYearForm(request.POST)
        if form.is_valid():
            deadlines = {}
            if day := form.cleaned_data["applications_deadline"]:
                deadlines["applications_deadline"] = dt.datetime.combine(
                    day, dt.time(23, 59, 59), tzinfo=timezone.get_default_timezone()
                )
            try:
                campaign_year = campaign_year_open(
                    actor=request.user, year=form.cleaned_data["year"], **deadlines
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Campaign year %(year)s is open: the regions can apply for their weeks.")
                    % {"year": campaign_year.year},
                )
                return redirect("scheduling:manage", year=campaign_year.year)
    else:
        next_year = max([timezone.localdate().year, *years]) + 1
        form = OpenYearForm(initial={"year": next_year})
    return render(request, "scheduling/manage_open.html", {"form": form, "years": years})


@require_safe
@ministry_page
def manage(request: HttpRequest, year: int) -> HttpResponse:
    return _dashboard(request, _year(year))


@require_POST
@ministry_page
def manage_run(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = allocation_run(
                actor=request.user,
                campaign_year=campaign_year,
                expected_latest_run_id=form.cleaned_data["expected_latest_run_id"],
            )
        except AllocationConflict as exc:
            # Nothing changed: show the latest state with whose run got there first.
            messages.error(request, str(exc))
            return _back(year, "run")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if run.status == RunStatus.SOLVED:
                messages.success(request, _("Run #%(run)s found an allocation.") % {"run": run.pk})
            else:
                messages.warning(
                    request, _("Run #%(run)s found no allocation; see why below.") % {"run": run.pk}
                )
            return _back(year, "run")
    return _dashboard(request, campaign_year, run_form=form)


@require_POST
@ministry_page
def manage_publish(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    form = PublishForm(request.POST, prefix="publish")
    if form.is_valid():
        run = get_object_or_404(
            AllocationRun, pk=form.cleaned_data["run_id"], campaign_year=campaign_year
        )
        try:
            version = version_publish(
                actor=request.user, campaign_year=campaign_year, run=run,
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except AllocationConflict as exc:
            messages.error(request, str(exc))
            return _back(year, "run")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)s of %(year)s is published.")
                % {"number": version.number, "year": year},
            )
            return _back(year, "versions")
    return _dashboard(request, campaign_year, publish_form=form)


@require_POST
@ministry_page
def manage_pin(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    weeks = campaign_year.weeks.all()
    form = PinForm(request.POST, regions=Region.objects.all(), weeks=weeks, prefix="pin")
    if form.is_valid():
        try:
            pin = pin_set(
                actor=request.user, campaign_year=campaign_year,
                region_code=form.cleaned_data["region"],
                week_number=form.cleaned_data["week_number"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(region)s is pinned to week %(week)s; run the allocation again.")
                % {"region": pin.region.name, "week": pin.week_number},
            )
            return _back(year, "pins")
    return _dashboard(request, campaign_year, pin_form=form)


@require_POST
@ministry_page
def manage_unpin(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    form = UnpinForm(request.POST)
    if form.is_valid():
        region = get_object_or_404(Region, code=form.cleaned_data["region"])
        pin_clear(actor=request.user, campaign_year=campaign_year, region_code=region.code)
        messages.success(request, _("%(region)s is no longer pinned.") % {"region": region.name})
    return _back(year, "pins")


@require_POST
@ministry_page
def manage_week(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    form = WeekForm(request.POST, weeks=campaign_year.weeks.all(), prefix="week")
    if form.is_valid():
        try:
            week = week_update(
                actor=request.user,
                campaign_year=campaign_year,
                number=form.cleaned_data["number"],
                capacity=form.cleaned_data["capacity"],
                blocked=form.blocked(),
                block_reason=form.cleaned_data["block_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Week %(week)s is saved.") % {"week": week.number})
            return _back(year, "weeks")
    return _dashboard(request, campaign_year, week_form=form)


@require_POST
@ministry_page
def manage_day(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = _year(year)
    form = DayOverrideForm(request.POST, prefix="day")
    if form.is_valid():
        try:
            day_override_set(actor=request.user, campaign_year=campaign_year, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(date)s is saved; the weeks are recomputed.")
                % {"date": form.cleaned_data["date"].isoformat()},
            )
            return _back(year, "weeks")
    return _dashboard(request, campaign_year, day_form=form)
