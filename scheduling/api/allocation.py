"""The Ministry's allocation work: runs, pins and publishing versions (versions are public)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import require_ministry
from scheduling.api.base import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    REGION_PARAMETER,
    YEAR_PARAMETER,
    SchedulingAPIMixin,
    existing_region,
    validated,
)
from scheduling.models import AllocationRun, Pin, PublishedVersion
from scheduling.selectors import version_changes
from scheduling.serializers import (
    PinInputSerializer,
    PinSerializer,
    RegionChangeSerializer,
    RunCreateSerializer,
    RunSerializer,
    VersionCreateSerializer,
    VersionDetailSerializer,
    VersionSerializer,
)
from scheduling.services import allocation_run, pin_clear, pin_set, version_publish

ERROR_UNKNOWN_RUN = _(
    "Campaign year %(year)s has no run #%(run)s; its runs are listed at /api/years/%(year)s/runs/."
)
ERROR_UNKNOWN_VERSION = _(
    "Campaign year %(year)s has no published version %(number)s; "
    "its versions are listed at /api/years/%(year)s/versions/."
)


@extend_schema(parameters=[YEAR_PARAMETER], tags=["allocation"])
class RunViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[AllocationRun]):
    """Runs of the allocator, newest first (Ministry only)."""

    queryset = AllocationRun.objects.all()
    serializer_class = RunSerializer
    lookup_value_regex = r"[0-9]{1,12}"

    def get_queryset(self) -> Any:
        return (
            AllocationRun.objects.filter(campaign_year=self.campaign_year)
            .select_related("run_by")
            .order_by("-id")
        )

    @extend_schema(
        summary="Runs (Ministry)",
        responses={
            200: RunSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RunSerializer(page, many=True).data)

    @extend_schema(
        summary="One run (Ministry)",
        responses={200: RunSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        run = self.get_queryset().filter(pk=int(kwargs["pk"])).first()
        if run is None:
            raise exceptions.NotFound(
                ERROR_UNKNOWN_RUN % {"year": self.campaign_year.year, "run": kwargs["pk"]}
            )
        return Response(RunSerializer(run).data)

    @extend_schema(
        summary="Run the allocator on the stored applications and pins (Ministry)",
        request=RunCreateSerializer,
        responses={
            201: RunSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        data = validated(RunCreateSerializer, request.data)
        run = allocation_run(
            actor=request.user,
            campaign_year=self.campaign_year,
            expected_latest_run_id=data["expected_latest_run_id"],
        )
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[YEAR_PARAMETER], tags=["allocation"])
class VersionViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[PublishedVersion]):
    """Published versions of the allocation, newest first; each one is never changed."""

    queryset = PublishedVersion.objects.all()
    serializer_class = VersionSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{1,5}"

    def get_queryset(self) -> Any:
        return PublishedVersion.objects.filter(campaign_year=self.campaign_year).order_by("-number")

    @staticmethod
    def _detail(version: PublishedVersion) -> dict[str, Any]:
        changes = RegionChangeSerializer(version_changes(version), many=True).data
        return {**VersionSerializer(version).data, "changes": changes}

    @extend_schema(
        summary="Published versions",
        responses={200: VersionSerializer(many=True), 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(
        summary="One version, with who moved against the version before",
        responses={200: VersionDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        number = int(kwargs["number"])
        version = self.get_queryset().filter(number=number).first()
        if version is None:
            raise exceptions.NotFound(
                ERROR_UNKNOWN_VERSION % {"year": self.campaign_year.year, "number": number}
            )
        return Response(self._detail(version))

    @extend_schema(
        summary="Publish the latest run as the next version (Ministry)",
        request=VersionCreateSerializer,
        responses={
            201: VersionDetailSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        data = validated(VersionCreateSerializer, request.data)
        run = AllocationRun.objects.filter(
            campaign_year=self.campaign_year, pk=data["run_id"]
        ).first()
        if run is None:
            raise ValidationError(
                {
                    "run_id": ERROR_UNKNOWN_RUN
                    % {"year": self.campaign_year.year, "run": data["run_id"]}
                }
            )
        version = version_publish(
            actor=request.user, campaign_year=self.campaign_year, run=run, note=data["note"]
        )
        return Response(self._detail(version), status=status.HTTP_201_CREATED)


@extend_schema(parameters=[YEAR_PARAMETER], tags=["allocation"])
class PinViewSet(SchedulingAPIMixin, viewsets.GenericViewSet[Pin]):
    """Regions the Ministry fixed to a week; runs place everyone else around them."""

    queryset = Pin.objects.all()
    serializer_class = PinSerializer
    lookup_field = "region_code"
    lookup_value_regex = r"[0-9]{6}"
    pagination_class = None

    @extend_schema(
        summary="Pins (Ministry)",
        responses={200: PinSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        pins = Pin.objects.filter(campaign_year=self.campaign_year).select_related("pinned_by")
        return Response(PinSerializer(pins, many=True).data)

    @extend_schema(
        summary="Pin a region to a week, or move its pin (Ministry)",
        parameters=[REGION_PARAMETER],
        request=PinInputSerializer,
        responses={200: PinSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        code = kwargs["region_code"]
        existing_region(code)
        data = validated(PinInputSerializer, request.data)
        pin = pin_set(
            actor=request.user,
            campaign_year=self.campaign_year,
            region_code=code,
            week_number=data["week_number"],
        )
        return Response(PinSerializer(pin).data)

    @extend_schema(
        summary="Remove a region's pin (Ministry)",
        parameters=[REGION_PARAMETER],
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_ministry(request.user)
        code = kwargs["region_code"]
        existing_region(code)
        pin_clear(actor=request.user, campaign_year=self.campaign_year, region_code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)
