"""What every lecture hall page shares: a missing or hidden object is a 404, a refused
permission the 403 page with the refusal's own message, signed-in pages, and paginated lists."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from accounts.models import Role

View = Callable[..., HttpResponse]
PAGE_SIZE = 20


def hall_page(view: View) -> View:
    """An object the selector does not find (or hides, like another's draft) answers 404;
    a refused permission shows the page layout with the refusal's message (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404(_("There is no such page in the lecture hall.")) from exc
        except PermissionDenied as exc:
            user: Any = request.user
            context = {
                "message": str(exc) or _("You may not open this page."),
                "may_request": user.is_authenticated and user.role == Role.RESIDENT,
            }
            return render(request, "lecture_hall/forbidden.html", context, status=403)

    return wrapper


def signed_in_page(view: View) -> View:
    """Anonymous visitors are sent to sign in first."""
    return login_required(hall_page(view))


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`, which stops
    reading once it has them): with more than `cap` rows, `capped` is True and the pages hold
    the first `cap` rows."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        rows: Any = self.object_list  # a QuerySet: its count is a SELECT COUNT(*) of a LIMIT
        return int(rows.order_by()[: self.cap + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


def page_of(
    request: HttpRequest,
    rows: Any,
    param: str = "page",
    size: int = PAGE_SIZE,
    *,
    count_cap: int | None = None,
) -> Page:
    """One page of a list; a missing or wrong page number gives the nearest page. With
    `count_cap`, rows are counted only up to it (see CappedPaginator)."""
    paginator = (
        Paginator(rows, size) if count_cap is None else CappedPaginator(rows, size, cap=count_cap)
    )
    page = paginator.get_page(request.GET.get(param))
    page.param = param  # type: ignore[attr-defined]  # the pagination links' query parameter
    return page
