"""Pages over a whole campaign year: the week-by-week coverage (public), the regions' progress
(the Ministry) and the showcase of accepted Learning Stars and Brand Projects (public)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.permissions import is_ministry
from events.models import ActivityType
from events.selectors import coverage, region_progress, showcase
from events.services.submissions import MAX_NOMINATIONS, MIN_NOMINATIONS
from events.views.common import campaign_year_or_404, ministry_page
from scheduling.models import CampaignYear

GAP_LABELS = {
    "plan": _("work plan"),
    "learning_stars": _("Learning Stars"),
    "brand_projects": _("Brand Projects"),
    "events": _("events"),
}


def _years() -> list[int]:
    return list(CampaignYear.objects.order_by("year").values_list("year", flat=True))


@require_safe
def coverage_page(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    weeks = coverage(campaign_year)
    rows = [(w, [w.counts[t] for t in ActivityType.values]) for w in weeks]
    context = {
        "campaign_year": campaign_year,
        "weeks": weeks,
        "rows": rows,
        "types": ActivityType.choices,
        "active": sum(1 for w in weeks if w.has_activity),
        "empty": [w.week.number for w in weeks if not w.has_activity],
        "is_ministry": is_ministry(request.user),
        "years": _years(),
    }
    return render(request, "events/coverage.html", context)


@require_safe
@ministry_page
def progress_page(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    progress = region_progress(campaign_year)
    rows = [(p, [GAP_LABELS[g] for g in p.missing]) for p in progress]
    context = {
        "campaign_year": campaign_year,
        "rows": rows,
        "complete": sum(1 for p in progress if not p.missing),
        "total": len(progress),
        "without": {key: sum(1 for p in progress if key in p.missing) for key in GAP_LABELS},
        "min": MIN_NOMINATIONS,
        "max": MAX_NOMINATIONS,
    }
    return render(request, "events/progress.html", context)


@require_safe
def showcase_page(request: HttpRequest, year: int) -> HttpResponse:
    campaign_year = campaign_year_or_404(year)
    context = {"campaign_year": campaign_year, "items": list(showcase(campaign_year))}
    return render(request, "events/showcase.html", context)
