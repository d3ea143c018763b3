"""Statistics table pages and exports (/reports/…): a region's table with its review (adjust a
cell with a reason, the header, submit), the Ministry's national view and reopening, and the
XLSX / CSV downloads. Thin: each view asks who may, calls one selector or service, renders."""

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import (
    ERROR_NOT_A_COORDINATOR,
    is_ministry,
    require_ministry,
    require_region_manager,
)
from events.forms import add_service_errors
from events.statistics import csvexport, xlsx
from events.statistics.compute import cell
from events.statistics.forms import AdjustForm, FigureForm, HeaderForm, ReopenForm, YesNoAdjustForm
from events.statistics.labels import cell_gloss
from events.statistics.pages import countdown, national_context, region_context
from events.statistics.selectors import national_statistics, region_statistics
from events.statistics.services import (
    statistics_adjust,
    statistics_adjustment_clear,
    statistics_header_update,
    statistics_reopen,
    statistics_submit,
)
from events.views.common import signed_in_page
from scheduling.models import CampaignYear, Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
ERROR_NO_YEAR = gettext_lazy(
    "Campaign year %(year)s has not been opened; there is no statistics table for it."
)


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _year(year: int) -> CampaignYear:
    campaign_year = CampaignYear.objects.filter(year=year).first()
    if campaign_year is None:
        raise Http404(ERROR_NO_YEAR % {"year": year})
    return campaign_year


def _region(user: Any, code: str) -> Region:
    """The region of the URL, once the user may read its table (asked first, so a refusal
    never reveals whether a code exists)."""
    require_region_manager(user, code)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(code)
    return region


def _region_url(year: int, code: str) -> str:
    return reverse("statistics:region", kwargs={"year": year, "code": code})


def _download(body: bytes, content_type: str, ascii_name: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@signed_in_page
def index(request: HttpRequest) -> HttpResponseBase:
    """The latest year's table: the national view for the Ministry, the own region's for a
    coordinator."""
    user: Any = request.user
    year = CampaignYear.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        raise Http404(_("No campaign year has been opened yet."))
    if is_ministry(user):
        return redirect("statistics:national", year=year)
    if getattr(user, "is_coordinator", False) and user.region_id:
        return redirect("statistics:region", year=year, code=user.region_id)
    raise PermissionDenied(ERROR_NOT_A_COORDINATOR)


@require_safe
@signed_in_page
def region_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    region = _region(request.user, code)
    stats = region_statistics(_year(year), region)
    context = region_context(request.user, stats, zh=_zh())
    context["reopen_form"] = ReopenForm()
    return render(request, "events/statistics/region.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def adjust_page(request: HttpRequest, year: int, code: str) -> HttpResponseBase:
    region = _region(request.user, code)
    campaign_year = _year(year)
    key = request.POST.get("cell") or request.GET.get("cell") or ""
    target = cell(key)
    if target is None:
        raise Http404(key)
    form_class = YesNoAdjustForm if target.is_yes_no else AdjustForm
    stats = region_statistics(campaign_year, region)
    view = stats.cell(key)
    if request.method == "POST":
        form = form_class(request.POST)
        try:
            if request.POST.get("action") == "clear":
                statistics_adjustment_clear(
                    actor=request.user, campaign_year=campaign_year, region_code=code, cell_key=key
                )
                messages.success(
                    request, _("%(cell)s follows the events again.") % {"cell": target.label}
                )
                return redirect(_region_url(year, code) + f"#cell-{key}")
            statistics_adjust(
                actor=request.user,
                campaign_year=campaign_year,
                region_code=code,
                cell_key=key,
                value=request.POST.get("value", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            form.is_valid()
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(cell)s adjusted.") % {"cell": target.label})
            return redirect(_region_url(year, code) + f"#cell-{key}")
    else:
        initial = {"cell": key, "value": view.value}
        if view.adjustment:
            initial["reason"] = view.adjustment.reason
        form = form_class(initial=initial)
    context = {
        "stats": stats,
        "campaign_year": campaign_year,
        "region": region,
        "view": view,
        "gloss": cell_gloss(key),
        "form": form,
        "zh": _zh(),
    }
    return render(request, "events/statistics/adjust.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def header_page(request: HttpRequest, year: int, code: str) -> HttpResponseBase:
    region = _region(request.user, code)
    campaign_year = _year(year)
    stats = region_statistics(campaign_year, region)
    if request.method == "POST":
        form = HeaderForm(request.POST)
        if form.is_valid():
            try:
                statistics_header_update(
                    actor=request.user,
                    campaign_year=campaign_year,
                    region_code=code,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The table's header is saved."))
                return redirect(_region_url(year, code))
    else:
        form = HeaderForm(initial=stats.header)
    context = {"stats": stats, "campaign_year": campaign_year, "region": region, "form": form}
    return render(request, "events/statistics/header.html", context)


@require_POST
@signed_in_page
def submit(request: HttpRequest, year: int, code: str) -> HttpResponseBase:
    _region(request.user, code)
    try:
        statistics_submit(actor=request.user, campaign_year=_year(year), region_code=code)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The table is submitted and locked."))
    return redirect(_region_url(year, code))


@require_POST
@signed_in_page
def reopen(request: HttpRequest, year: int, code: str) -> HttpResponseBase:
    require_ministry(request.user)
    _region(request.user, code)
    try:
        statistics_reopen(
            actor=request.user,
            campaign_year=_year(year),
            region_code=code,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The table is reopened; its coordinators can change it."))
    return redirect(_region_url(year, code))


@require_safe
@signed_in_page
def region_xlsx(request: HttpRequest, year: int, code: str) -> HttpResponse:
    region = _region(request.user, code)
    stats = region_statistics(_year(year), region)
    return _download(
        xlsx.region_xlsx(stats),
        XLSX,
        f"statistics-{year}-{code}.xlsx",
        f"{year}年全民终身学习活动开展情况统计表-{region.short_name_zh}.xlsx",
    )


@require_safe
@signed_in_page
def region_csv(request: HttpRequest, year: int, code: str) -> HttpResponse:
    region = _region(request.user, code)
    stats = region_statistics(_year(year), region)
    return _download(
        csvexport.region_csv(stats),
        CSV,
        f"statistics-{year}-{code}.csv",
        f"{year}年统计表-{region.short_name_zh}.csv",
    )


@require_safe
@signed_in_page
def national_page(request: HttpRequest, year: int) -> HttpResponse:
    require_ministry(request.user)
    national = national_statistics(_year(year))
    form = FigureForm(request.GET or None)
    figure, activity_type = form.chosen()
    context = national_context(national, figure, activity_type, zh=_zh())
    context.update(
        form=form, countdown=countdown(national.campaign_year.statistics_deadline, timezone.now())
    )
    return render(request, "events/statistics/national.html", context)


@require_safe
@signed_in_page
def national_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    require_ministry(request.user)
    body = xlsx.national_xlsx(national_statistics(_year(year)))
    return _download(
        body,
        XLSX,
        f"statistics-{year}-national.xlsx",
        f"{year}年全民终身学习活动开展情况统计表-全国汇总.xlsx",
    )


@require_safe
@signed_in_page
def national_csv(request: HttpRequest, year: int) -> HttpResponse:
    require_ministry(request.user)
    body = csvexport.national_csv(national_statistics(_year(year)))
    return _download(body, CSV, f"statistics-{year}-national.csv", f"{year}年统计表-全国汇总.csv")
