"""Writing sessions: the dashboard, create, edit, publish, reschedule, cancel, duplicate to the
next week, end with a replay link, and the history. Each write page asks the selector for the
session the user may manage (the 403 comes before the form), then calls one service."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lecture_hall import selectors, services
from lecture_hall.forms import (
    CancelForm,
    EndForm,
    RescheduleForm,
    SessionEditForm,
    SessionForm,
    VersionForm,
    add_service_errors,
)
from lecture_hall.models import Session
from lecture_hall.services import SessionConflict
from lecture_hall.views.common import page_of, signed_in_page


def _to_session(session: Session) -> HttpResponse:
    return redirect("lecture_hall:session", pk=session.pk)


@require_safe
@signed_in_page
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(actor=request.user)
    context = {
        "board": board,
        "upcoming": page_of(request, board.upcoming, "upcoming"),
        "drafts": page_of(request, board.drafts, "drafts"),
        "past": page_of(request, board.past, "past"),
        "cancelled": page_of(request, board.cancelled, "cancelled"),
    }
    return render(request, "lecture_hall/dashboard.html", context)


@signed_in_page
def session_create(request: HttpRequest) -> HttpResponse:
    scope = selectors.authoring_scope(actor=request.user)
    if request.method == "POST":
        form = SessionForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                session = services.session_create(actor=request.user, **form.create_arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The draft “%(title)s” is saved. Publish it when it is ready.")
                    % {"title": session.title},
                )
                return _to_session(session)
    else:
        form = SessionForm(initial=SessionForm.initial_for(scope), scope=scope)
    context = {"form": form, "heading": _("New session"), "submit": _("Save as draft")}
    return render(request, "lecture_hall/session_form.html", context)


@signed_in_page
def session_update(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.managed_session(actor=request.user, pk=pk)
    scope = selectors.authoring_scope(
        actor=request.user,
        keep_lecturers=session.lecturers.all(),
        keep_series_id=session.series_id,
    )
    if request.method == "POST":
        form = SessionEditForm(request.POST, scope=scope, session=session)
        if form.is_valid():
            try:
                saved = services.session_update(
                    actor=request.user, session=session, **form.update_arguments()
                )
            except SessionConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your changes are saved."))
                return _to_session(saved)
    else:
        form = SessionEditForm(
            initial=SessionEditForm.initial_from(session), scope=scope, session=session
        )
    context = {
        "form": form,
        "session": session,
        "heading": _("Edit “%(title)s”") % {"title": session.title},
        "submit": _("Save the changes"),
    }
    return render(request, "lecture_hall/session_form.html", context)


@require_POST
@signed_in_page
def session_publish(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; nothing was published. Try again."))
        return _to_session(session)
    try:
        services.session_publish(
            actor=request.user,
            session=session,
            expected_version=form.cleaned_data["expected_version"],
        )
    except SessionConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The session is published: it is now in the public hall."))
    return _to_session(session)


def _session_action(
    request: HttpRequest,
    session: Session,
    *,
    form_class: type[forms.Form],
    initial: dict[str, Any],
    service: Callable[..., Session],
    done: str,
    heading: str,
    submit: str,
) -> HttpResponse:
    """The shape every reschedule/cancel/end page shares: a form, one service call, PRG."""
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(actor=request.user, session=session, **form.cleaned_data)
            except SessionConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return _to_session(session)
    else:
        form = form_class(initial={"expected_version": session.version, **initial})
    context = {"form": form, "session": session, "heading": heading, "submit": submit}
    return render(request, "lecture_hall/session_action.html", context)


@signed_in_page
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.managed_session(actor=request.user, pk=pk)
    return _session_action(
        request,
        session,
        form_class=RescheduleForm,
        initial={"starts_at": session.starts_at, "duration_minutes": session.duration_minutes},
        service=services.session_reschedule,
        done=_("The session is moved; subscribers are told why."),
        heading=_("Reschedule “%(title)s”") % {"title": session.title},
        submit=_("Reschedule"),
    )


@signed_in_page
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.managed_session(actor=request.user, pk=pk)
    return _session_action(
        request,
        session,
        form_class=CancelForm,
        initial={},
        service=services.session_cancel,
        done=_("The session is cancelled; the page shows why."),
        heading=_("Cancel “%(title)s”") % {"title": session.title},
        submit=_("Cancel the session"),
    )


@signed_in_page
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.managed_session(actor=request.user, pk=pk)
    return _session_action(
        request,
        session,
        form_class=EndForm,
        initial={},
        service=services.session_end,
        done=_("The session is marked as ended."),
        heading=_("End “%(title)s”") % {"title": session.title},
        submit=_("Mark as ended"),
    )


@require_POST
@signed_in_page
def session_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.managed_session(actor=request.user, pk=pk)
    try:
        copy = services.session_duplicate(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_session(session)
    messages.success(request, _("A draft copy one week later is saved; check it, then publish it."))
    return _to_session(copy)


@require_safe
@signed_in_page
def session_history(request: HttpRequest, pk: int) -> HttpResponse:
    session, rows = selectors.session_history(actor=request.user, pk=pk)
    return render(request, "lecture_hall/session_history.html", {"s": session, "rows": rows})
