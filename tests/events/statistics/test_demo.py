"""seed_statistics: submitted, reopened and open tables through the services; never twice."""

from io import StringIO

import pytest

from accounts.models import Role, User
from config.progress import Progress
from events.models import StatisticsAdjustment, StatisticsSubmission, StatisticsTable
from events.statistics.demo import seed_statistics
from events.statistics.selectors import national_statistics
from scheduling.models import CampaignYear
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_statistics_submits_some_tables_and_leaves_others_open(
    campaign_2027: CampaignYear,
) -> None:
    UserFactory(role=Role.COORDINATOR, region_id="110000", username="coord-110000")
    out = StringIO()
    submitted = seed_statistics(campaign_2027, Progress(out, tty=False))
    national = national_statistics(campaign_2027)
    assert submitted == len(national.submitted) == 18
    assert sum(1 for r in national.regions if r.reopened) == 1
    assert sum(1 for r in national.regions if not r.locked) == 19
    assert StatisticsTable.objects.count() == 37
    assert StatisticsAdjustment.objects.count() == 8
    beijing = StatisticsSubmission.objects.get(table__region_id="110000")
    assert beijing.submitted_by == User.objects.get(username="coord-110000")
    assert "37 tables, 18 submitted, 1 reopened" in out.getvalue()

    assert seed_statistics(campaign_2027, Progress(out, tty=False)) == 0  # a second run: nothing
    assert "already there" in out.getvalue()
    assert StatisticsSubmission.objects.count() == 19
