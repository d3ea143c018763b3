"""Work plans and nominations: deadlines, limits, files checked by content, review, reopening."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings

from accounts.models import User
from events.models import Nomination, NominationKind, ReviewStatus, WorkPlan
from events.services import (
    nomination_review,
    nomination_submit,
    plan_review,
    plan_submit,
    region_reopen,
)
from scheduling.models import CampaignYear

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BEFORE_NOMINATIONS = dt.datetime(2027, 7, 1, tzinfo=dt.UTC)
AFTER_NOMINATIONS = dt.datetime(2027, 7, 21, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _media(settings: Settings, tmp_path: object) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def pdf(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def nominate(actor: User, year: CampaignYear, name: str, **kw: object) -> Nomination:
    values: dict[str, object] = {"kind": NominationKind.LEARNING_STAR, "summary": "三十年社区学习"}
    values.update(kw)
    return nomination_submit(
        actor=actor, campaign_year=year, region_code="110000", name=name, **values
    )  # type: ignore[arg-type]


def test_plan_upload_before_the_deadline(campaign_2027: CampaignYear, coordinator: User) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=dt.UTC)):
        plan = plan_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000",
                           title="北京市2027年活动方案", document=pdf())  # fmt: skip
    assert plan.status == ReviewStatus.SUBMITTED
    assert plan.document.read().startswith(b"%PDF")


def test_plan_that_is_not_a_pdf_is_refused_whatever_its_name(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        plan_submit(actor=coordinator, campaign_year=campaign_2027, region_code="110000",
                    title="方案", document=pdf("plan.pdf", b"MZ\x90\x00 an exe"))  # fmt: skip
    assert "plan.pdf is not a PDF file" in excinfo.value.message_dict["document"][0]
    assert not WorkPlan.objects.exists()


def test_oversized_file_is_refused(campaign_2027: CampaignYear, coordinator: User) -> None:
    big = pdf(content=PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="at most 10 MB"):
        plan_submit(
            actor=coordinator,
            campaign_year=campaign_2027,
            region_code="110000",
            title="方案",
            document=big,
        )


def test_plan_after_the_deadline_only_the_ministry_reopens(
    campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    with time_machine.travel(dt.datetime(2027, 1, 2, tzinfo=dt.UTC)):
        with pytest.raises(PermissionDenied, match="only the Ministry can reopen"):
            plan_submit(
                actor=coordinator,
                campaign_year=campaign_2027,
                region_code="110000",
                title="方案",
                document=pdf(),
            )
        with pytest.raises(PermissionDenied):
            region_reopen(
                actor=coordinator, campaign_year=campaign_2027, region_code="110000",
                what="plan", until=dt.datetime(2027, 1, 10, tzinfo=dt.UTC),
            )  # fmt: skip
        region_reopen(
            actor=ministry_user, campaign_year=campaign_2027, region_code="110000",
            what="plan", until=dt.datetime(2027, 1, 10, tzinfo=dt.UTC),
        )  # fmt: skip
        plan_submit(
            actor=coordinator,
            campaign_year=campaign_2027,
            region_code="110000",
            title="方案",
            document=pdf(),
        )
    assert WorkPlan.objects.count() == 1


def test_nominations_are_limited_to_five_of_each_kind(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    with time_machine.travel(BEFORE_NOMINATIONS):
        for i in range(5):
            nominate(coordinator, campaign_2027, f"之星{i}")
        with pytest.raises(ValidationError, match="at most 5"):
            nominate(coordinator, campaign_2027, "第六位")
        nominate(coordinator, campaign_2027, "品牌一", kind=NominationKind.BRAND_PROJECT)
    assert Nomination.objects.filter(kind=NominationKind.LEARNING_STAR).count() == 5


def test_nomination_with_an_image_material_checked_by_content(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    with time_machine.travel(BEFORE_NOMINATIONS):
        ok = nominate(
            coordinator, campaign_2027, "有照片", material=SimpleUploadedFile("p.jpg", PNG)
        )
        assert ok.material
        with pytest.raises(ValidationError) as excinfo:
            nominate(
                coordinator,
                campaign_2027,
                "假照片",
                material=SimpleUploadedFile("photo.png", b"<html>hi</html>"),
            )
    assert "material" in excinfo.value.message_dict


def test_nomination_bad_input(campaign_2027: CampaignYear, coordinator: User) -> None:
    with time_machine.travel(BEFORE_NOMINATIONS):
        with pytest.raises(ValidationError) as excinfo:
            nominate(coordinator, campaign_2027, " ", kind="hero", summary="")
        assert set(excinfo.value.message_dict) == {"kind", "name", "summary"}
        nominate(coordinator, campaign_2027, "张三")
        with pytest.raises(ValidationError, match="already nominated"):
            nominate(coordinator, campaign_2027, "张三")


def test_nomination_after_deadline_is_refused(
    campaign_2027: CampaignYear, coordinator: User
) -> None:
    with time_machine.travel(AFTER_NOMINATIONS), pytest.raises(PermissionDenied):
        nominate(coordinator, campaign_2027, "迟到者")


def test_other_region_cannot_nominate(campaign_2027: CampaignYear, other_coordinator: User) -> None:
    with time_machine.travel(BEFORE_NOMINATIONS), pytest.raises(PermissionDenied):
        nominate(other_coordinator, campaign_2027, "冒名")


def test_ministry_reviews_returning_needs_a_comment(
    campaign_2027: CampaignYear, coordinator: User, ministry_user: User
) -> None:
    with time_machine.travel(BEFORE_NOMINATIONS):
        nomination = nominate(coordinator, campaign_2027, "李四")
    with pytest.raises(PermissionDenied):
        nomination_review(actor=coordinator, nomination=nomination, status=ReviewStatus.ACCEPTED)
    with pytest.raises(ValidationError):
        nomination_review(actor=ministry_user, nomination=nomination, status=ReviewStatus.RETURNED)
    with pytest.raises(ValidationError):
        nomination_review(actor=ministry_user, nomination=nomination, status="maybe")
    nomination_review(
        actor=ministry_user, nomination=nomination, status=ReviewStatus.RETURNED, comment="补充视频"
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.review_comment) == (ReviewStatus.RETURNED, "补充视频")


def test_plan_review(campaign_2027: CampaignYear, coordinator: User, ministry_user: User) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=dt.UTC)):
        plan = plan_submit(
            actor=coordinator,
            campaign_year=campaign_2027,
            region_code="110000",
            title="方案",
            document=pdf(),
        )
    plan_review(actor=ministry_user, plan=plan, status=ReviewStatus.ACCEPTED)
    assert WorkPlan.objects.get().status == ReviewStatus.ACCEPTED
