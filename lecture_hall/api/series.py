"""Series (courses): public reads; created and changed through the series services. The cover
picture is uploaded through the series page, so the API takes JSON only."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import require_lecture_manager
from lecture_hall.api.base import LectureHallAPIMixin, LectureHallPagination, require_lecture_author
from lecture_hall.models import Lecturer, Series
from lecture_hall.serializers import (
    ERROR_UNKNOWN_SERIES,
    SeriesCreateSerializer,
    SeriesFilterSerializer,
    SeriesSerializer,
    SeriesUpdateSerializer,
)
from lecture_hall.services import series_create, series_update
from scheduling.api.base import BAD_REQUEST, FORBIDDEN, ErrorSerializer, validated

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such series.")


def series_with_lecturers() -> QuerySet[Series]:
    return Series.objects.prefetch_related(
        Prefetch("lecturers", queryset=Lecturer.objects.only("id", "name", "user_id"))
    ).order_by("title", "id")


@extend_schema(tags=["lecture hall"])
class SeriesViewSet(LectureHallAPIMixin, viewsets.GenericViewSet[Series]):
    """Series of sessions under one title; anyone reads, their lecturers and managers write."""

    queryset = Series.objects.none()
    serializer_class = SeriesSerializer
    pagination_class = LectureHallPagination
    lookup_value_regex = r"[0-9]{1,18}"

    def get_object(self) -> Series:
        series = series_with_lecturers().filter(pk=int(self.kwargs["pk"])).first()
        if series is None:
            raise exceptions.NotFound(ERROR_UNKNOWN_SERIES % {"id": self.kwargs["pk"]})
        return series

    def _answer(self, series: Series, code: int = status.HTTP_200_OK) -> Response:
        fresh = series_with_lecturers().get(pk=series.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Series",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="A region's six-digit code."),
            OpenApiParameter("lecturer", OpenApiTypes.INT, description="A lecturer's id."),
        ],
        responses={200: SeriesSerializer(many=True), 400: BAD_REQUEST},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = validated(SeriesFilterSerializer, request.query_params)
        series = series_with_lecturers()
        if params.get("region"):
            series = series.filter(region_id=params["region"])
        if params.get("lecturer"):
            series = series.filter(lecturers=params["lecturer"])
        page = self.paginate_queryset(series)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="One series", responses={200: SeriesSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Create a series (its lecturers, the region's coordinators, the Ministry)",
        request=SeriesCreateSerializer,
        responses={201: SeriesSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_lecture_author(request.user)
        data = validated(SeriesCreateSerializer, request.data)
        series = series_create(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            region_code=data["region"],
            lecturer_ids=data["lecturer_ids"],
        )
        return self._answer(series, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a series' title, description or lecturers",
        request=SeriesUpdateSerializer,
        responses={200: SeriesSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        series = self.get_object()
        # Before the body is read, so a refusal never depends on the input.
        require_lecture_manager(
            request.user,
            lecturer_user_ids={lecturer.user_id for lecturer in series.lecturers.all()},
            region_code=series.region_id,
        )
        data = validated(SeriesUpdateSerializer, request.data)
        series = series_update(actor=request.user, series=series, **data)
        return self._answer(series)
