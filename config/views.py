"""Platform-wide pages: the home page, the health endpoints and the 404 answer."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found

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


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address no URL matches: under /api/ the API's JSON error (`detail`), as every other
    API answer is JSON and its schema documents it; elsewhere the page."""
    if request.path_info.startswith("/api/"):
        detail = _("There is no such API address; every address is listed at /api/docs/.")
        return JsonResponse(
            {"detail": detail}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return page_not_found(request, exception)
