"""What every events page shares: the 403 page with the refusal's own message, signed-in pages,
the campaign year from the URL, and which region a coordinator's page is about."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.permissions import is_ministry, require_ministry, require_region_manager
from events.forms import WHEN_CHOICES
from events.models import Event
from scheduling.models import CampaignYear

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50


def forbidden_as_page(view: View) -> View:
    """A refused permission shows the page layout with the refusal's own message (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            context = {"message": str(exc) or _("You may not open this page.")}
            return render(request, "events/forbidden.html", context, status=403)

    return wrapper


def signed_in_page(view: View) -> View:
    """Anonymous visitors are sent to sign in; a refused permission is a 403 page."""
    return login_required(forbidden_as_page(view))


def ministry_page(view: View) -> View:
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        require_ministry(request.user)
        return view(request, *args, **kwargs)

    return signed_in_page(checked)


def campaign_year_or_404(year: int) -> CampaignYear:
    return get_object_or_404(CampaignYear, year=year)


def require_event_writer(user: Any, event: Event) -> None:
    """The check the services make before a write, made before the form is shown."""
    if event.region_id is None:
        require_ministry(user)
    else:
        require_region_manager(user, event.region_id)


def require_entry_rights(user: Any) -> None:
    """Coordinators (their own region) and the Ministry enter events; nobody else."""
    if not is_ministry(user):
        require_region_manager(user, getattr(user, "region_id", None) or "")


def chosen_region(request: HttpRequest) -> str | None:
    """The region a coordinator's page is about: the one asked for (`?region=`), else the
    coordinator's own; None when the Ministry has not picked one yet. Asking for a region one
    does not manage is refused here, before any form is shown."""
    user: Any = request.user
    code = request.GET.get("region") or request.POST.get("region")
    if not code:
        if is_ministry(user):
            return None
        code = getattr(user, "region_id", None) or ""
    require_region_manager(user, code)
    return code


def paginate(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def when_links(request: HttpRequest, choice: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Links to the upcoming, past and all events, keeping the request's other `keys`."""
    links = []
    for value, label in WHEN_CHOICES:
        kept = request.GET.copy()
        for key in list(kept):
            if key not in keys or key == "when" or not kept.get(key):
                del kept[key]
        if value:
            kept["when"] = value
        query = kept.urlencode()
        link = {"label": label, "query": f"?{query}" if query else "", "current": value == choice}
        links.append(link)
    return links
