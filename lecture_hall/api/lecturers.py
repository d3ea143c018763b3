"""Lecturers' public profiles: only approved lecturers, and never their account details."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lecture_hall.api.base import LectureHallAPIMixin, LectureHallPagination
from lecture_hall.models import Lecturer, LecturerStatus
from lecture_hall.serializers import (
    ERROR_UNKNOWN_LECTURER,
    LecturerFilterSerializer,
    LecturerSerializer,
)
from scheduling.api.base import BAD_REQUEST, ErrorSerializer, validated

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such (approved) lecturer.")


def public_lecturers() -> QuerySet[Lecturer]:
    return Lecturer.objects.filter(status=LecturerStatus.APPROVED).order_by("name", "id")


@extend_schema(tags=["lecture hall"])
class LecturerViewSet(LectureHallAPIMixin, viewsets.GenericViewSet[Lecturer]):
    """Approved lecturers; profiles are edited on the lecturer's own page."""

    queryset = Lecturer.objects.none()
    serializer_class = LecturerSerializer
    pagination_class = LectureHallPagination
    lookup_value_regex = r"[0-9]{1,18}"

    @extend_schema(
        summary="Lecturers",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="A region's six-digit code.")
        ],
        responses={200: LecturerSerializer(many=True), 400: BAD_REQUEST},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = validated(LecturerFilterSerializer, request.query_params)
        lecturers = public_lecturers()
        if params.get("region"):
            lecturers = lecturers.filter(region_id=params["region"])
        page = self.paginate_queryset(lecturers)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="One lecturer", responses={200: LecturerSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lecturer = public_lecturers().filter(pk=int(kwargs["pk"])).first()
        if lecturer is None:
            raise exceptions.NotFound(ERROR_UNKNOWN_LECTURER % {"id": kwargs["pk"]})
        return Response(self.get_serializer(lecturer).data)
