"""Work plans and nominations: a region's coordinators submit them, the Ministry reviews them,
exports them and reopens a region; their files are served here, never from public media."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import ERROR_NOT_A_COORDINATOR, can_manage_region, is_ministry
from events.files import sniff
from events.forms import (
    NominationForm,
    PlanForm,
    RegionPickForm,
    add_service_errors,
)
from events.models import (
    Nomination,
    NominationKind,
    RegionReopening,
    ReviewStatus,
    WorkPlan,
)
from events.services import (
    nomination_submit,
    plan_submit,
)
from events.services.submissions import MAX_NOMINATIONS, MIN_NOMINATIONS
from events.views.common import (
    campaign_year_or_404,
    chosen_region,
    forbidden_as_page,
    signed_in_page,
)
from scheduling.models import CampaignYear, Region

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@dataclass(frozen=True)
class KindCount:
    """One kind of nomination on a region's page, measured against the 3–5 rule."""

    label: str
    items: list[Nomination]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def enough(self) -> bool:
        return MIN_NOMINATIONS <= self.count <= MAX_NOMINATIONS


def _region_url(name: str, year: int, code: str, user: Any) -> str:
    url = reverse(name, kwargs={"year": year})
    return f"{url}?{urlencode({'region': code})}" if is_ministry(user) else url


def _pick(request: HttpRequest, campaign_year: CampaignYear, title: str) -> HttpResponse:
    form = RegionPickForm(regions=Region.objects.all())
    context = {"campaign_year": campaign_year, "form": form, "title": title}
    return render(request, "events/region_pick.html", context)


def _deadline(campaign_year: CampaignYear, code: str, what: str) -> dict[str, Any]:
    """The deadline box: the year's deadline, a reopening for this region, and whether the
    coordinators can still submit (the service decides; this only tells them beforehand)."""
    deadline = campaign_year.plan_deadline if what == "plan" else campaign_year.nomination_deadline
    reopening = RegionReopening.objects.filter(
        campaign_year=campaign_year, region_id=code, what=what
    ).first()
    until = reopening.until if reopening else None
    return {
        "deadline": deadline,
        "reopened_until": until,
        "open_until": max(deadline, until) if until else deadline,
        "now": timezone.now(),
    }


# --- A region's work plan and nominations ----------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def plan_page(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    user: Any = request.user
    code = chosen_region(request)
    if code is None:
        return _pick(request, campaign_year, _("Work plan"))
    region = get_object_or_404(Region, code=code)
    plan = WorkPlan.objects.filter(campaign_year=campaign_year, region=region).first()
    if request.method == "POST":
        form = PlanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                plan_submit(
                    actor=user,
                    campaign_year=campaign_year,
                    region_code=code,
                    title=form.cleaned_data["title"],
                    document=form.cleaned_data["document"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The work plan is submitted for review."))
                return redirect(_region_url("events:plan", year, code, user))
    else:
        form = PlanForm(initial={"title": plan.title if plan else ""})
    context = {
        "campaign_year": campaign_year,
        "region": region,
        "plan": plan,
        "form": form,
        **_deadline(campaign_year, code, "plan"),
    }
    return render(request, "events/plan.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in_page
def nominations_page(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    user: Any = request.user
    code = chosen_region(request)
    if code is None:
        return _pick(request, campaign_year, _("Nominations"))
    region = get_object_or_404(Region, code=code)
    if request.method == "POST":
        form = NominationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                nomination = nomination_submit(
                    actor=user,
                    campaign_year=campaign_year,
                    region_code=code,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is nominated.") % {"name": nomination.name})
                return redirect(_region_url("events:nominations", year, code, user))
    else:
        form = NominationForm()
    nominations = list(
        Nomination.objects.filter(campaign_year=campaign_year, region=region).order_by("kind", "id")
    )
    kinds = [
        KindCount(str(label), [n for n in nominations if n.kind == value])
        for value, label in NominationKind.choices
    ]
    context = {
        "campaign_year": campaign_year,
        "region": region,
        "kinds": kinds,
        "form": form,
        "min": MIN_NOMINATIONS,
        "max": MAX_NOMINATIONS,
        **_deadline(campaign_year, code, "nominations"),
    }
    return render(request, "events/nominations.html", context)


# --- Files -----------------------------------------------------------------------------------


@require_safe
@forbidden_as_page
def material(request: HttpRequest, kind: str, item_id: int) -> HttpResponseBase:
    """Accepted nominations' materials are public; anything else only for the region's
    coordinators and the Ministry."""
    item: WorkPlan | Nomination
    if kind == "plan":
        item = get_object_or_404(WorkPlan.objects.select_related("campaign_year"), pk=item_id)
        file, public = item.document, False
    elif kind == "nomination":
        item = get_object_or_404(Nomination.objects.select_related("campaign_year"), pk=item_id)
        file, public = item.material, item.status == ReviewStatus.ACCEPTED
    else:
        raise Http404("No such kind of file.")
    if not file:
        raise Http404("No file.")
    if not public:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage_region(request.user, item.region_id):
            raise PermissionDenied(ERROR_NOT_A_COORDINATOR)
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    head = handle.read(16)
    handle.seek(0)
    detected = sniff(head) or "bin"
    name = f"{kind}-{item.campaign_year.year}-{item.region_id}-{item.pk}.{detected}"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES.get(detected, "application/octet-stream"),
    )
