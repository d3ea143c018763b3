"""Platform-wide pages: the home page and the health endpoints."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.health import run_checks
from scheduling.models import Region


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.only("code", "short_name_zh", "name_en", "region_group")
    return render(request, "home.html", {"regions": regions})


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serving; touches nothing else."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache, channel layer and broker reachable: 200, else 503 naming what failed."""
    ok, report = run_checks()
    return JsonResponse(
        report, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False}
    )
