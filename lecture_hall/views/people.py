"""Writing series and lecturer profiles: series create and edit (with a cover), a lecturer's
profile (with a photo), a resident's request to become a lecturer, the coordinators' and
Ministry's list of requests to decide, and creating a lecturer's account."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.permissions import ERROR_RESIDENTS_ONLY, may_request_lecturer_role
from lecture_hall import selectors, services
from lecture_hall.forms import (
    DecideForm,
    LecturerCreateForm,
    LecturerProfileForm,
    LecturerRequestForm,
    SeriesForm,
    add_service_errors,
)
from lecture_hall.models import LecturerStatus
from lecture_hall.views.common import signed_in_page


def _form_page(request: HttpRequest, form: Any, heading: str, submit: str, **extra: Any) -> Any:
    context = {"form": form, "heading": heading, "submit": submit, **extra}
    return render(request, "lecture_hall/form_page.html", context)


@signed_in_page
def series_create(request: HttpRequest) -> HttpResponse:
    scope = selectors.authoring_scope(actor=request.user)
    if request.method == "POST":
        form = SeriesForm(request.POST, request.FILES, scope=scope)
        if form.is_valid():
            try:
                series = services.series_create(actor=request.user, **form.arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The series “%(title)s” is saved.") % {"title": series})
                return redirect("lecture_hall:series", pk=series.pk)
    else:
        form = SeriesForm(initial=SeriesForm.initial_for(scope), scope=scope)
    return _form_page(request, form, _("New series"), _("Save the series"), multipart=True)


@signed_in_page
def series_update(request: HttpRequest, pk: int) -> HttpResponse:
    series = selectors.managed_series(actor=request.user, pk=pk)
    scope = selectors.authoring_scope(actor=request.user, keep_lecturers=series.lecturers.all())
    if request.method == "POST":
        form = SeriesForm(request.POST, request.FILES, scope=scope, editing=True)
        if form.is_valid():
            try:
                services.series_update(actor=request.user, series=series, **form.arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The series “%(title)s” is saved.") % {"title": series})
                return redirect("lecture_hall:series", pk=series.pk)
    else:
        initial = {
            "title": series.title,
            "description": series.description,
            "lecturers": [lecturer.pk for lecturer in series.lecturers.all()],
        }
        form = SeriesForm(initial=initial, scope=scope, editing=True)
    heading = _("Edit the series “%(title)s”") % {"title": series.title}
    return _form_page(
        request, form, heading, _("Save the changes"), multipart=True, picture=series.cover
    )


@signed_in_page
def lecturer_update(request: HttpRequest, pk: int) -> HttpResponse:
    lecturer = selectors.managed_lecturer(actor=request.user, pk=pk)
    if request.method == "POST":
        form = LecturerProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.lecturer_update(
                    actor=request.user,
                    lecturer=lecturer,
                    photo=form.cleaned_data["photo"],
                    **form.profile(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The profile is saved."))
                if lecturer.status != LecturerStatus.APPROVED:  # no public page yet
                    return redirect("lecture_hall:dashboard")
                return redirect("lecture_hall:lecturer", pk=lecturer.pk)
    else:
        fields = ("name", "title", "organisation", "biography")
        form = LecturerProfileForm(initial={k: getattr(lecturer, k) for k in fields})
    heading = _("Profile of %(name)s") % {"name": lecturer.name}
    return _form_page(
        request, form, heading, _("Save the profile"), multipart=True, picture=lecturer.photo
    )


@signed_in_page
def lecturer_request(request: HttpRequest) -> HttpResponse:
    profile = selectors.own_lecturer_profile(actor=request.user)
    if request.method == "POST":
        form = LecturerRequestForm(request.POST)
        if form.is_valid():
            try:
                services.lecturer_request(actor=request.user, **form.arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Your request is sent; the region's coordinators will decide.")
                )
                return redirect("lecture_hall:lecturer_request")
    else:
        form = LecturerRequestForm()
    context = {
        "form": form,
        "profile": profile,
        "statuses": LecturerStatus,
        "may_request": may_request_lecturer_role(request.user),
        "residents_only": ERROR_RESIDENTS_ONLY,
    }
    return render(request, "lecture_hall/lecturer_request.html", context)


@signed_in_page
def lecturer_decide(request: HttpRequest) -> HttpResponse:
    requests = selectors.lecturer_requests(actor=request.user)
    if request.method == "POST":
        form = DecideForm(request.POST)
        if form.is_valid():
            lecturer = get_object_or_404(requests, pk=form.cleaned_data["lecturer"])
            approve = form.cleaned_data["decision"] == "approve"
            services.lecturer_decide(actor=request.user, lecturer=lecturer, approve=approve)
            done = _("%(name)s is now a lecturer.") if approve else _("%(name)s is refused.")
            messages.success(request, done % {"name": lecturer.name})
        else:
            messages.error(request, _("Choose to approve or refuse a request."))
        return redirect("lecture_hall:lecturer_decide")
    return render(request, "lecture_hall/lecturer_requests.html", {"requests": requests})


@signed_in_page
def lecturer_create(request: HttpRequest) -> HttpResponse:
    regions = selectors.lecturer_manager_regions(actor=request.user)
    if request.method == "POST":
        form = LecturerCreateForm(request.POST, request.FILES, regions=regions)
        if form.is_valid():
            try:
                lecturer = services.lecturer_create(actor=request.user, **form.arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The lecturer account of %(name)s is created.") % {"name": lecturer.name},
                )
                return redirect("lecture_hall:lecturer", pk=lecturer.pk)
    else:
        initial = {"region": regions[0].code} if len(regions) == 1 else {}
        form = LecturerCreateForm(initial=initial, regions=regions)
    return _form_page(
        request, form, _("New lecturer account"), _("Create the account"), multipart=True
    )
