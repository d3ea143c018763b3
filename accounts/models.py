"""The platform's user: one account per person, with the role that decides what they may do."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ERROR_COORDINATOR_NEEDS_REGION = _(
    "A region coordinator must belong to a region: choose the region they coordinate."
)
ERROR_REGION_ONLY_FOR_COORDINATORS = _(
    "Only region coordinators and lecturers belong to a region; "
    "clear the region or change the role."
)


class Role(models.TextChoices):
    MINISTRY = "ministry", _("Ministry staff")
    COORDINATOR = "coordinator", _("Region coordinator")
    LECTURER = "lecturer", _("Lecturer")
    RESIDENT = "resident", _("Resident")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.RESIDENT)
    # Referenced by name: accounts is the lowest layer and never imports scheduling.
    region = models.ForeignKey(
        "scheduling.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    # Set when someone signs up on the site, cleared when they open the emailed link: until then
    # the account is inactive and belongs to nobody proven (accounts/services.py, sign-up).
    signup_pending_since = models.DateTimeField(
        _("signed up, email not yet confirmed, since"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="coordinator") | Q(region__isnull=False),
                name="coordinator_has_region",
                violation_error_message=ERROR_COORDINATOR_NEEDS_REGION,
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(role__in=["coordinator", "lecturer"]),
                name="region_only_for_coordinators_and_lecturers",
                violation_error_message=ERROR_REGION_ONLY_FOR_COORDINATORS,
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.COORDINATOR and self.region_id is None:
            raise ValidationError({"region": ERROR_COORDINATOR_NEEDS_REGION})
        if self.region_id is not None and self.role not in (Role.COORDINATOR, Role.LECTURER):
            raise ValidationError({"region": ERROR_REGION_ONLY_FOR_COORDINATORS})

    @property
    def is_ministry(self) -> bool:
        return self.role == Role.MINISTRY

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_lecturer(self) -> bool:
        return self.role == Role.LECTURER
