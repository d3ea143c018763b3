"""Statistics table models: a region's table for a campaign year (the header the coordinator
enters), the cells adjusted by hand with a reason, and each submission's frozen snapshot.

The figures themselves are never stored while a table is open: they are computed from the
events every time (`events.statistics.selectors`). A submission freezes every cell, computed
and submitted value alike, so later changes to events can be shown against it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.statistics.compute import CELLS, LIMITS
from scheduling.models import CampaignYear, Region


class StatisticsTable(models.Model):
    """One region's table for one campaign year: the header's contact details."""

    campaign_year = models.ForeignKey(CampaignYear, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="statistics_tables")
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_department = models.CharField(_("contact's department"), max_length=100, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=40, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("statistics table")
        verbose_name_plural = _("statistics tables")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_year", "region"], name="statistics_table_once_per_region_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_year_id} {self.region_id}"


class StatisticsAdjustment(models.Model):
    """A cell the coordinator set by hand. The computed figure of that moment is kept beside
    it, with the written reason, who and when."""

    table = models.ForeignKey(StatisticsTable, on_delete=models.CASCADE, related_name="adjustments")
    cell = models.CharField(_("cell"), max_length=48)
    computed_value = models.PositiveBigIntegerField(_("computed value"))
    value = models.PositiveBigIntegerField(_("adjusted value"))
    reason = models.CharField(_("reason"), max_length=500)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    adjusted_at = models.DateTimeField()

    class Meta:
        ordering = ["table", "cell"]
        verbose_name = _("statistics adjustment")
        verbose_name_plural = _("statistics adjustments")
        constraints = [
            models.UniqueConstraint(fields=["table", "cell"], name="statistics_adjust_cell_once"),
            models.CheckConstraint(
                condition=Q(cell__in=CELLS), name="statistics_adjust_cell_known"
            ),
            models.CheckConstraint(
                condition=Q(value__lte=LIMITS["participants"]),
                name="statistics_adjust_value_believable",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="statistics_adjust_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.cell} = {self.value}"


class StatisticsSubmission(models.Model):
    """A submitted table, frozen. `cells` holds, per cell, the computed and the submitted value
    and any adjustment (reason, who, when); `header` the contact details. A table is locked
    while its latest submission has not been reopened by the Ministry."""

    table = models.ForeignKey(StatisticsTable, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField(_("submission"))
    cells = models.JSONField()
    header = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)

    class Meta:
        ordering = ["table", "number"]
        verbose_name = _("statistics submission")
        verbose_name_plural = _("statistics submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "number"], name="statistics_submission_number_once"
            ),
            # At most one standing (not reopened) submission per table: the lock.
            models.UniqueConstraint(
                fields=["table"],
                condition=Q(reopened_at__isnull=True),
                name="statistics_one_standing_submission",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="statistics_reopen_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} #{self.number}"

    @property
    def is_standing(self) -> bool:
        return self.reopened_at is None

    def values(self) -> dict[str, int]:
        """The submitted value of every cell."""
        return {key: int(entry["value"]) for key, entry in self.cells.items()}

    def computed_values(self) -> dict[str, int]:
        """What the events gave at the moment of submission, cell by cell."""
        return {key: int(entry["computed"]) for key, entry in self.cells.items()}
