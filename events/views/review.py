"""The Ministry's review of plans and nominations: the filtered list with accept/return, the
CSV export of everything submitted, and reopening a region after its deadline."""

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events.forms import ReopenForm, ReviewFilterForm, ReviewForm, add_service_errors
from events.models import Nomination, RegionReopening, ReviewStatus, WorkPlan
from events.services import nomination_review, plan_review, region_reopen
from events.views.common import campaign_year_or_404, ministry_page
from scheduling.models import CampaignYear, Region

REVIEW_FILTERS = ("region", "kind", "status")


def _review_query(request: HttpRequest) -> str:
    return urlencode({k: request.GET[k] for k in REVIEW_FILTERS if request.GET.get(k)})


def _review(
    request: HttpRequest,
    campaign_year: CampaignYear,
    *,
    bound: tuple[str, int, ReviewForm] | None = None,
    reopen_form: ReopenForm | None = None,
) -> HttpResponse:
    regions = list(Region.objects.all())
    filter_form = ReviewFilterForm(request.GET or None, regions=regions)
    chosen = filter_form.filters()
    plans = WorkPlan.objects.filter(campaign_year=campaign_year).select_related("region")
    nominations = Nomination.objects.filter(campaign_year=campaign_year).select_related("region")
    if chosen.get("region"):
        plans = plans.filter(region_id=chosen["region"])
        nominations = nominations.filter(region_id=chosen["region"])
    if chosen.get("status"):
        plans = plans.filter(status=chosen["status"])
        nominations = nominations.filter(status=chosen["status"])
    if chosen.get("kind") == "plan":
        nominations = nominations.none()
    elif chosen.get("kind"):
        plans = plans.none()
        nominations = nominations.filter(kind=chosen["kind"])

    def form_for(kind: str, item_id: int) -> ReviewForm:
        if bound and bound[:2] == (kind, item_id):
            return bound[2]
        return ReviewForm(auto_id=f"id_{kind}{item_id}_%s")

    rows = [
        {"kind": "plan", "item": p, "form": form_for("plan", p.pk)}
        for p in plans.order_by("region_id")
    ] + [
        {"kind": "nomination", "item": n, "form": form_for("nomination", n.pk)}
        for n in nominations.order_by("region_id", "kind", "id")
    ]
    reopenings = RegionReopening.objects.filter(campaign_year=campaign_year).select_related(
        "region"
    )
    context = {
        "campaign_year": campaign_year,
        "filter_form": filter_form,
        "rows": rows,
        "query": _review_query(request),
        "reopen_form": reopen_form or ReopenForm(regions=regions, auto_id="id_reopen_%s"),
        "reopenings": reopenings.order_by("region_id", "what"),
    }
    return render(request, "events/review.html", context)


@require_safe
@ministry_page
def review_page(request: HttpRequest, year: int) -> HttpResponse:
    return _review(request, campaign_year_or_404(year))


@require_POST
@ministry_page
def review_item(request: HttpRequest, year: int, kind: str, item_id: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    form = ReviewForm(request.POST, auto_id=f"id_{kind}{item_id}_%s")
    if form.is_valid():
        status, comment = form.cleaned_data["status"], form.cleaned_data["review_comment"]
        try:
            if kind == "plan":
                plan = get_object_or_404(WorkPlan, pk=item_id, campaign_year=campaign_year)
                plan_review(actor=request.user, plan=plan, status=status, comment=comment)
                name = plan.title
            else:
                nomination = get_object_or_404(Nomination, pk=item_id, campaign_year=campaign_year)
                nomination_review(
                    actor=request.user, nomination=nomination, status=status, comment=comment
                )
                name = nomination.name
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            label = ReviewStatus(status).label
            messages.success(
                request, _("“%(name)s”: %(status)s.") % {"name": name, "status": label}
            )
            url = reverse("events:review", kwargs={"year": year})
            query = _review_query(request)
            return redirect(
                f"{url}?{query}#{kind}-{item_id}" if query else f"{url}#{kind}-{item_id}"
            )
    return _review(request, campaign_year, bound=(kind, item_id, form))


@require_POST
@ministry_page
def review_reopen(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    form = ReopenForm(request.POST, regions=Region.objects.all(), auto_id="id_reopen_%s")
    if form.is_valid():
        try:
            reopening = region_reopen(
                actor=request.user,
                campaign_year=campaign_year,
                region_code=form.cleaned_data["region"],
                what=form.cleaned_data["what"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(region)s may submit again until %(until)s.")
                % {
                    "region": reopening.region.name,
                    "until": timezone.localtime(reopening.until).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect(reverse("events:review", kwargs={"year": year}) + "#reopen")
    return _review(request, campaign_year, reopen_form=form)


def _cell(value: object) -> str:
    """A spreadsheet must not run what a region typed: formulas are written as text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_safe
@ministry_page
def review_csv(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{year}.csv"'
    response.write("\ufeff")  # the BOM makes Excel read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Kind"),
            _("Region code"),
            _("Region"),
            _("Name or title"),
            _("Summary"),
            _("Status"),
            _("Comment"),
            _("Submitted at"),
            _("File"),
        ]
    )
    plans = WorkPlan.objects.filter(campaign_year=campaign_year).select_related("region")
    for plan in plans.order_by("region_id"):
        writer.writerow(
            [
                _cell(v)
                for v in (
                    _("Work plan"),
                    plan.region_id,
                    plan.region.name,
                    plan.title,
                    "",
                    plan.get_status_display(),
                    plan.review_comment,
                    _when(plan.submitted_at),
                    _file_url(request, "plan", plan.pk, plan.document),
                )
            ]
        )
    nominations = Nomination.objects.filter(campaign_year=campaign_year).select_related("region")
    for n in nominations.order_by("region_id", "kind", "id"):
        writer.writerow(
            [
                _cell(v)
                for v in (
                    n.get_kind_display(),
                    n.region_id,
                    n.region.name,
                    n.name,
                    n.summary,
                    n.get_status_display(),
                    n.review_comment,
                    _when(n.submitted_at),
                    _file_url(request, "nomination", n.pk, n.material),
                )
            ]
        )
    return response


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _file_url(request: HttpRequest, kind: str, item_id: int, file: FieldFile) -> str:
    if not file:
        return ""
    return request.build_absolute_uri(
        reverse("events:material", kwargs={"kind": kind, "item_id": item_id})
    )
