"""Work plans and nominations (Learning Stars, Brand Projects): deadlines, limits and review."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_ministry, require_ministry, require_region_manager
from events.files import check_upload
from events.models import Nomination, NominationKind, RegionReopening, ReviewStatus, WorkPlan
from scheduling.models import CampaignYear, Region

MIN_NOMINATIONS, MAX_NOMINATIONS = 3, 5
ERROR_AFTER_DEADLINE = _(
    "The %(what)s deadline of %(year)s was %(deadline)s; only the Ministry can reopen it."
)
ERROR_TOO_MANY = _(
    "A region nominates at most %(max)s of each kind; %(region)s already has %(count)s."
)
ERROR_ACCEPTED_FINAL = _("An accepted submission is final; ask the Ministry to return it first.")
ERROR_REVIEW_COMMENT = _("Say what needs to change when returning a submission.")
ERROR_REVIEW_STATUS = _("Choose accepted or returned.")


def _open_until(
    campaign_year: CampaignYear, region_code: str, what: str, deadline: dt.datetime
) -> dt.datetime:
    reopening = RegionReopening.objects.filter(
        campaign_year=campaign_year, region_id=region_code, what=what
    ).first()
    return max(deadline, reopening.until) if reopening else deadline


def _require_before_deadline(
    actor: Any, campaign_year: CampaignYear, region_code: str, what: str
) -> None:
    if is_ministry(actor):
        return
    deadline = campaign_year.plan_deadline if what == "plan" else campaign_year.nomination_deadline
    until = _open_until(campaign_year, region_code, what, deadline)
    if timezone.now() > until:
        label = _("work plan") if what == "plan" else _("nominations")
        raise PermissionDenied(
            ERROR_AFTER_DEADLINE
            % {"what": label, "year": campaign_year.year,
               "deadline": date_format(timezone.localtime(until), "DATETIME_FORMAT")}
        )  # fmt: skip


@transaction.atomic
def plan_submit(
    *, actor: Any, campaign_year: CampaignYear, region_code: str, title: str, document: UploadedFile
) -> WorkPlan:
    require_region_manager(actor, region_code)
    _require_before_deadline(actor, campaign_year, region_code, "plan")
    check_upload(document, allowed=("pdf",), field="document")
    if not title.strip():
        raise ValidationError({"title": [str(_("Give the plan a title."))]})
    plan = WorkPlan.objects.filter(campaign_year=campaign_year, region_id=region_code).first()
    if plan is not None and plan.status == ReviewStatus.ACCEPTED and not is_ministry(actor):
        raise ValidationError(ERROR_ACCEPTED_FINAL)
    plan = plan or WorkPlan(campaign_year=campaign_year, region_id=region_code)
    plan.title = title.strip()
    plan.document = document
    plan.status = ReviewStatus.SUBMITTED
    plan.review_comment = ""
    plan.submitted_by = actor
    plan.save()
    return plan


@transaction.atomic
def nomination_submit(
    *,
    actor: Any,
    campaign_year: CampaignYear,
    region_code: str,
    kind: str,
    name: str,
    summary: str,
    material: UploadedFile | None = None,
) -> Nomination:
    """Nominate a Learning Star or a Brand Project (at most 5 of each per region and year)."""
    require_region_manager(actor, region_code)
    _require_before_deadline(actor, campaign_year, region_code, "nominations")
    errors: dict[str, list[str]] = {}
    if kind not in NominationKind.values:
        errors["kind"] = [str(_("Choose learning_star or brand_project."))]
    if not name.strip():
        errors["name"] = [str(_("This field is required."))]
    if not summary.strip():
        errors["summary"] = [str(_("This field is required."))]
    if material is not None:
        try:
            check_upload(material, allowed=("pdf", "png", "jpeg", "webp"), field="material")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    # The region's uploads take turns on its row, which always exists. Locking the nominations
    # would not do: two uploads at once would each read four and both insert (READ COMMITTED),
    # and with none there is nothing to lock. Not the year's row: the allocation run takes it
    # with NOWAIT. NO KEY UPDATE, so writes that merely refer to the region need not wait.
    Region.objects.select_for_update(no_key=True).filter(pk=region_code).first()
    existing = list(
        Nomination.objects.filter(campaign_year=campaign_year, region_id=region_code, kind=kind)
    )
    if len(existing) >= MAX_NOMINATIONS:
        raise ValidationError(
            {
                "kind": [
                    str(
                        ERROR_TOO_MANY
                        % {"max": MAX_NOMINATIONS, "region": region_code, "count": len(existing)}
                    )
                ]
            }
        )
    if any(n.name == name.strip() for n in existing):
        raise ValidationError(
            {"name": [str(_("%(name)s is already nominated.") % {"name": name.strip()})]}
        )
    nomination = Nomination(
        campaign_year=campaign_year, region_id=region_code, kind=kind, name=name.strip(),
        summary=summary.strip(), submitted_by=actor,
    )  # fmt: skip
    if material is not None:
        nomination.material = material
    nomination.save()
    return nomination


def _review(actor: Any, item: WorkPlan | Nomination, status: str, comment: str) -> None:
    require_ministry(actor)
    if status not in (ReviewStatus.ACCEPTED, ReviewStatus.RETURNED):
        raise ValidationError({"status": [str(ERROR_REVIEW_STATUS)]})
    if status == ReviewStatus.RETURNED and not comment.strip():
        raise ValidationError({"review_comment": [str(ERROR_REVIEW_COMMENT)]})
    item.status = status
    item.review_comment = comment.strip()
    item.save(update_fields=["status", "review_comment"])


@transaction.atomic
def nomination_review(
    *, actor: Any, nomination: Nomination, status: str, comment: str = ""
) -> Nomination:
    _review(actor, nomination, status, comment)
    return nomination


@transaction.atomic
def plan_review(*, actor: Any, plan: WorkPlan, status: str, comment: str = "") -> WorkPlan:
    _review(actor, plan, status, comment)
    return plan


@transaction.atomic
def region_reopen(
    *, actor: Any, campaign_year: CampaignYear, region_code: str, what: str, until: dt.datetime
) -> RegionReopening:
    """Let one region submit its plan or nominations again until a new moment."""
    require_ministry(actor)
    if what not in ("plan", "nominations"):
        raise ValidationError({"what": [str(_("Choose plan or nominations."))]})
    if until <= timezone.now():
        raise ValidationError({"until": [str(_("Reopen until a moment in the future."))]})
    reopening, _created = RegionReopening.objects.update_or_create(
        campaign_year=campaign_year, region_id=region_code, what=what,
        defaults={"until": until, "reopened_by": actor},
    )  # fmt: skip
    return reopening
