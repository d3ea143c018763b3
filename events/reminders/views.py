"""Reminder pages: remind me, my reminders, confirm an address, unsubscribe, and the Ministry's
delivery view. Thin: parse, call one service or selector, render.

Pages reached by a secret link (confirm, unsubscribe) are never cached and send no Referer to
other sites, so the token does not leak; logs redact them (config.logging)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import is_ministry
from events.models import ReminderOffset
from events.models.reminders import mask_to_offsets
from events.reminders import selectors, services
from events.reminders.charts import deliveries_chart
from events.reminders.forms import ReminderForm

TEMPLATES = "events/reminders"


def _private(
    request: HttpRequest, name: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A page reached by a secret link: no Referer to other sites."""
    response = render(request, f"{TEMPLATES}/{name}", context, status=status)
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the
    # confirm form's POST and the CSRF check refuses it. Our own logs redact the token.
    response["Referrer-Policy"] = "same-origin"
    return response


def _errors_into(form: ReminderForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def reminder_new(request: HttpRequest) -> HttpResponse:
    """/reminders/new/?event=<id> | ?tag=lecturer:<id> | ?region=<code>"""
    context: dict[str, Any]
    query = request.GET
    try:
        target = services.target_from_query(
            event=query.get("event"), tag=query.get("tag"), region=query.get("region")
        )
        event = services.target_check(target)
    except ValidationError as exc:
        context = {"problem": " ".join(exc.messages)}
        return render(request, f"{TEMPLATES}/new.html", context, status=400)
    anonymous = not request.user.is_authenticated
    default = {"offsets": [str(ReminderOffset.HOUR)]}
    form = ReminderForm(request.POST or None, anonymous=anonymous, event=event, initial=default)
    if request.method == "POST" and form.is_valid():
        try:
            _request, outcome = services.reminder_request(
                actor=request.user,
                target=target,
                offsets=form.cleaned_data["offsets"],
                email=form.cleaned_data.get("email", ""),
                language=translation.get_language() or "zh-hans",
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            if anonymous:
                context = {"email": form.cleaned_data["email"].strip().lower()}
                return render(request, f"{TEMPLATES}/check_email.html", context)
            text = {
                services.Outcome.CREATED: _("Done: you will get reminders by email."),
                services.Outcome.UPDATED: _("Saved: your reminder times changed."),
                services.Outcome.UNCHANGED: _("You already have exactly these reminders."),
            }[outcome]
            messages.success(request, text)
            return HttpResponseRedirect(reverse("reminders:mine"))
    target_view = selectors.target_describe(target)
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "target": target_view,
        "starts": selectors.event_start_text(event) if event else "",
    }
    return render(request, f"{TEMPLATES}/new.html", context, status=status)


@require_safe  # a page to read: a POST here is a mistake, not a write
@login_required
def reminders_mine(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": selectors.my_reminders(request.user),
        "recent": selectors.recent_deliveries(request.user),
        "offset_choices": ReminderOffset.choices,
    }
    return render(request, f"{TEMPLATES}/mine.html", context)


@login_required
@require_POST
def reminder_change(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.reminder_update(
            actor=request.user, request_id=pk, offsets=request.POST.getlist("offsets")
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved: your reminder times changed."))
    return HttpResponseRedirect(reverse("reminders:mine"))


@login_required
@require_POST
def reminder_stop(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.reminder_stop(actor=request.user, request_id=pk)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Stopped: no more reminders for this."))
    return HttpResponseRedirect(reverse("reminders:mine"))


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will be confirmed and a button: mail scanners that open links must not
    confirm on someone's behalf. POST confirms."""
    context: dict[str, Any]
    if request.method == "POST":
        try:
            confirmed = services.reminder_confirm(token=token)
        except ValidationError as exc:
            context = {"problem": " ".join(exc.messages)}
            return _private(request, "confirm.html", context, status=404)
        label = selectors.target_labels([confirmed.target])[confirmed.target]
        context = {"done": True, "label": label, "offsets": confirmed.offsets}
        return _private(request, "confirm.html", context)
    pending = selectors.confirm_lookup(token)
    if pending is None:
        context = {"problem": str(services.ERROR_CONFIRM_TOKEN)}
        return _private(request, "confirm.html", context, status=404)
    label = selectors.target_labels([pending.target])[pending.target]
    context = {
        "label": label,
        "offsets": mask_to_offsets(pending.pending_mask),
        "email": pending.email,
    }
    return _private(request, "confirm.html", context)


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button; POST (the button, or a mail provider's one-click) stops."""
    context: dict[str, Any]
    if request.method == "POST":
        try:
            result = services.reminder_unsubscribe(token=token)
        except ValidationError as exc:
            context = {"problem": " ".join(exc.messages)}
            return _private(request, "unsubscribe.html", context, status=404)
        label = selectors.target_labels([result.target])[result.target] if result.target else ""
        context = {"done": True, "already": result.already, "label": label}
        return _private(request, "unsubscribe.html", context)
    found = selectors.unsubscribe_lookup(token)
    if found is None:
        context = {"problem": str(services.ERROR_UNSUBSCRIBE_TOKEN)}
        return _private(request, "unsubscribe.html", context, status=404)
    already, label = found
    context = {"already": already, "label": label}
    return _private(request, "unsubscribe.html", context)


@require_safe  # a page to read: a POST here is a mistake, not a write
@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """The Ministry's view of reminder and notice emails: per hour, and every failure."""
    if not is_ministry(request.user):
        raise PermissionDenied(_("Only Ministry staff may see the delivery figures."))
    try:
        hours = min(max(int(request.GET.get("hours", 48)), 1), 24 * 14)
    except ValueError:
        hours = 48
    stats = selectors.delivery_stats(hours=hours)
    context = {
        "stats": stats,
        "hours": hours,
        "chart": deliveries_chart(stats.rows),
        "failed": selectors.failed_deliveries(),
    }
    return render(request, f"{TEMPLATES}/deliveries.html", context)
