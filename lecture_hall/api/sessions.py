"""Sessions: public reads (never drafts), and every change through the session services.

Reads hide drafts behind 404 from anyone who may not manage them; writes look the session up
whatever its state and answer 403 to anyone who may not manage it, before reading the body.
Cancelled sessions are kept (calendars show them struck through), so there is no DELETE.
"""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role
from accounts.permissions import (
    can_manage_lecture,
    is_ministry,
    require_lecture_manager,
    require_signed_in,
)
from lecture_hall.api.base import (
    CONFLICT,
    LectureHallAPIMixin,
    LectureHallPagination,
    require_lecture_author,
)
from lecture_hall.models import Lecturer, Session, SessionState
from lecture_hall.serializers import (
    SessionCancelSerializer,
    SessionCreateSerializer,
    SessionDuplicateSerializer,
    SessionEndSerializer,
    SessionFilterSerializer,
    SessionRescheduleSerializer,
    SessionSerializer,
    SessionUpdateSerializer,
    VersionedSerializer,
)
from lecture_hall.services import (
    session_cancel,
    session_create,
    session_duplicate,
    session_end,
    session_publish,
    session_reschedule,
    session_update,
)
from scheduling.api.base import BAD_REQUEST, FORBIDDEN, ErrorSerializer, validated

ERROR_UNKNOWN_SESSION = _("There is no session %(id)s; the sessions are listed at /api/sessions/.")

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such session (or a draft).")
FILTER_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.STR,
        description="Sessions starting at or after this date (from its start) or date and time "
        "(ISO 8601; Beijing time without an offset).",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.STR,
        description="Sessions starting by this date (the whole day included) or date and time.",
    ),
    OpenApiParameter("region", OpenApiTypes.STR, description="A region's six-digit code."),
    OpenApiParameter("lecturer", OpenApiTypes.INT, description="A lecturer's id."),
    OpenApiParameter("series", OpenApiTypes.INT, description="A series' id."),
    OpenApiParameter("state", OpenApiTypes.STR, enum=SessionState.values),
    OpenApiParameter(
        "mine",
        OpenApiTypes.BOOL,
        description="1: the sessions you may manage, drafts included (signed in only).",
    ),
]
WRITE_ERRORS = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}


def sessions_with_people() -> QuerySet[Session]:
    """Sessions with what their representation needs, in a constant number of queries."""
    return Session.objects.select_related("event").prefetch_related(
        Prefetch("lecturers", queryset=Lecturer.objects.only("id", "name", "user_id"))
    )


def public_sessions() -> QuerySet[Session]:
    # A draft cancelled before publishing was never announced: it stays as private as a draft.
    return sessions_with_people().filter(
        Q(state__in=[SessionState.PUBLISHED, SessionState.ENDED])
        | Q(state=SessionState.CANCELLED, event__isnull=False)
    )


def managed_sessions(user: Any) -> QuerySet[Session]:
    """Every session the user may manage, as `accounts.permissions.can_manage_lecture` decides
    one by one: the Ministry all, a coordinator their region's, a lecturer their own."""
    sessions = sessions_with_people()
    if is_ministry(user):
        return sessions
    if user.role == Role.COORDINATOR:
        return sessions.filter(region_id=user.region_id)
    if user.role == Role.LECTURER:
        return sessions.filter(lecturers__user=user)
    return sessions.none()


def may_manage(user: Any, session: Session) -> bool:
    return can_manage_lecture(
        user,
        lecturer_user_ids={lecturer.user_id for lecturer in session.lecturers.all()},
        region_code=session.region_id,
    )


@extend_schema(tags=["lecture hall"])
class SessionViewSet(LectureHallAPIMixin, viewsets.GenericViewSet[Session]):
    """Online Public Lecture Hall sessions; anyone reads what is published, their lecturers,
    the region's coordinators and the Ministry write."""

    queryset = Session.objects.none()
    serializer_class = SessionSerializer
    pagination_class = LectureHallPagination
    lookup_value_regex = r"[0-9]{1,18}"

    def _found(self) -> Session:
        session = sessions_with_people().filter(pk=int(self.kwargs["pk"])).first()
        if session is None:
            raise exceptions.NotFound(ERROR_UNKNOWN_SESSION % {"id": self.kwargs["pk"]})
        return session

    def _for_writing(self) -> Session:
        """The session, if the user may manage it; asked before the body is read, so a refusal
        never depends on the input (the service asks again under its lock)."""
        session = self._found()
        require_lecture_manager(
            self.request.user,
            lecturer_user_ids={lecturer.user_id for lecturer in session.lecturers.all()},
            region_code=session.region_id,
        )
        return session

    def _answer(self, session: Session, code: int = status.HTTP_200_OK) -> Response:
        """The session as stored after a write, with its history (the writer manages it)."""
        fresh = sessions_with_people().get(pk=session.pk)
        context = {**self.get_serializer_context(), "manager": True}
        return Response(SessionSerializer(fresh, context=context).data, status=code)

    @extend_schema(
        summary="Sessions, filtered",
        description="Published, ended and cancelled sessions, soonest first; drafts only with "
        "`mine=1` to those who may manage them. A bad filter value, or `from` after `to`, is "
        "refused (400) naming the parameter.",
        parameters=FILTER_PARAMETERS,
        responses={200: SessionSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = validated(SessionFilterSerializer, request.query_params)
        if params["mine"]:
            require_signed_in(request.user)
            sessions = managed_sessions(request.user)
        else:
            sessions = public_sessions()
        if params.get("from") is not None:
            sessions = sessions.filter(starts_at__gte=params["from"])
        if params.get("to") is not None:
            sessions = sessions.filter(starts_at__lte=params["to"])
        if params.get("region"):
            sessions = sessions.filter(region_id=params["region"])
        if params.get("lecturer"):
            sessions = sessions.filter(lecturers=params["lecturer"])
        if params.get("series") is not None:
            sessions = sessions.filter(series=params["series"])
        if params.get("state"):
            sessions = sessions.filter(state=params["state"])
        page = self.paginate_queryset(sessions.order_by("starts_at", "id"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="One session (with its history for those who may manage it)",
        responses={200: SessionSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._found()
        manager = may_manage(request.user, session)
        if not manager and not public_sessions().filter(pk=session.pk).exists():
            raise exceptions.NotFound(ERROR_UNKNOWN_SESSION % {"id": kwargs["pk"]})
        context = {**self.get_serializer_context(), "manager": manager}
        return Response(SessionSerializer(session, context=context).data)

    @extend_schema(
        summary="Create a draft session (its lecturers, the region's coordinators, the Ministry)",
        request=SessionCreateSerializer,
        responses={201: SessionSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_lecture_author(request.user)
        data = validated(SessionCreateSerializer, request.data)
        region = data.pop("region")
        session = session_create(actor=request.user, region_code=region, **data)
        return self._answer(session, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a session (a new time for a published one is a reschedule)",
        request=SessionUpdateSerializer,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._for_writing()
        data = validated(SessionUpdateSerializer, request.data)
        session = session_update(actor=request.user, session=session, **data)
        return self._answer(session)

    @extend_schema(
        summary="Publish a draft: it enters the calendars and feeds",
        request=VersionedSerializer,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._for_writing()
        data = validated(VersionedSerializer, request.data)
        session = session_publish(actor=request.user, session=session, **data)
        return self._answer(session)

    @extend_schema(
        summary="Move a session; subscribers are told, with the reason",
        request=SessionRescheduleSerializer,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._for_writing()
        data = validated(SessionRescheduleSerializer, request.data)
        session = session_reschedule(actor=request.user, session=session, **data)
        return self._answer(session)

    @extend_schema(
        summary="Cancel a session (kept and shown as cancelled, with the reason)",
        request=SessionCancelSerializer,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._for_writing()
        data = validated(SessionCancelSerializer, request.data)
        session = session_cancel(actor=request.user, session=session, **data)
        return self._answer(session)

    @extend_schema(
        summary="Mark a published session as ended (once started), optionally with its replay",
        request=SessionEndSerializer,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._for_writing()
        data = validated(SessionEndSerializer, request.data)
        session = session_end(actor=request.user, session=session, **data)
        return self._answer(session)

    @extend_schema(
        summary="Copy a session as a new draft some weeks later (a weekly course)",
        request=SessionDuplicateSerializer,
        responses={201: SessionSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self._for_writing()
        data = validated(SessionDuplicateSerializer, request.data)
        copy = session_duplicate(actor=request.user, session=session, weeks=data["weeks"])
        return self._answer(copy, status.HTTP_201_CREATED)
