"""A resident's "my calendar" page: what the private feed follows, its link, rotation; and the
small POST endpoints other pages use to star an event or follow a lecturer or series."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from events.models import ActivityType, Event
from events.reminders.selectors import tag_links
from events.services import (
    calendar_token_in_use,
    subscription_follow,
    subscription_get_or_create,
    subscription_rotate,
    subscription_star,
    subscription_update,
)
from events.services.subscriptions import ALARM_CHOICES
from scheduling.models import Region


class FollowForm(forms.Form):
    regions = forms.MultipleChoiceField(
        label=gettext_lazy("Regions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    activity_types = forms.MultipleChoiceField(
        label=gettext_lazy("Activity types"),
        required=False,
        choices=ActivityType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    alarm_minutes = forms.TypedChoiceField(
        label=gettext_lazy("Reminder in my calendar app"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", gettext_lazy("No reminder")),
            *[
                (m, gettext_lazy("%(n)s minutes before") % {"n": m})
                for m in ALARM_CHOICES
                if m < 60
            ],
            (60, gettext_lazy("1 hour before")),
            (1440, gettext_lazy("1 day before")),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["regions"].choices = [(r.code, r.name) for r in Region.objects.all()]  # type: ignore[attr-defined]


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or fallback
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    subscription = subscription_get_or_create(actor=request.user)
    if request.method == "POST":
        form = FollowForm(request.POST)
        if form.is_valid():
            try:
                subscription_update(
                    actor=request.user,
                    region_codes=form.cleaned_data["regions"],
                    activity_types=form.cleaned_data["activity_types"],
                    alarm_minutes=form.cleaned_data["alarm_minutes"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Saved. Your calendar app will pick up the change at its next refresh."),
                )
                return HttpResponseRedirect(reverse("my-calendar"))
    else:
        form = FollowForm(
            initial={
                "regions": list(subscription.regions.values_list("code", flat=True)),
                "activity_types": subscription.activity_types,
                "alarm_minutes": subscription.alarm_minutes,
            }
        )
    token = calendar_token_in_use(subscription)
    https_url = webcal_url = ""
    if token is not None:
        https_url = request.build_absolute_uri(reverse("feed-private", kwargs={"token": token}))
        webcal_url = "webcal://" + https_url.split("://", 1)[1]
    starred = subscription.starred.select_related("region").order_by("starts_at")
    return render(
        request,
        "events/my_calendar.html",
        {
            "form": form,
            "feed_url": https_url,
            "webcal_url": webcal_url,
            "starred": starred,
            "follows": tag_links(subscription.tags),
        },
    )


@login_required
@require_POST
def rotate_link(request: HttpRequest) -> HttpResponse:
    subscription_rotate(actor=request.user)
    messages.success(
        request,
        _(
            "Your calendar has a new secret link. The old link no longer works: "
            "add the new one to your calendar app."
        ),
    )
    return HttpResponseRedirect(reverse("my-calendar"))


@login_required
@require_POST
def star_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    star = request.POST.get("star", "1") == "1"
    try:
        subscription_star(actor=request.user, event=event, star=star)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Added to your calendar.") if star else _("Removed from your calendar.")
        )
    return _back(request, reverse("my-calendar"))


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    tag = request.POST.get("tag", "")
    on = request.POST.get("follow", "1") == "1"
    try:
        subscription_follow(actor=request.user, tag=tag, follow=on)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Following: it is now in your calendar.") if on else _("No longer followed.")
        )
    return _back(request, reverse("my-calendar"))
