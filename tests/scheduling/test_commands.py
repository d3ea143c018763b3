"""`allocate_weeks` from the shell: progress, a result table, refusals that say what was wrong."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scheduling.models import AllocationRun, CampaignYear, PublishedVersion

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("allocate_weeks", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_table_and_stores_nothing(applied_2027: CampaignYear) -> None:
    output = run("2027", "--dry-run")
    assert "Solved in" in output
    assert "北京" in output
    assert "ranks: 1: 37" in output
    assert "Dry run: nothing stored." in output
    assert not AllocationRun.objects.exists()


def test_run_stores_and_publish_makes_a_version(applied_2027: CampaignYear) -> None:
    run("2027")
    assert AllocationRun.objects.count() == 1
    assert not PublishedVersion.objects.exists()
    output = run("2027", "--publish")
    assert "Published as version 1." in output
    assert PublishedVersion.objects.get().run == AllocationRun.objects.order_by("-id").first()


def test_unknown_year_names_the_known_ones(applied_2027: CampaignYear) -> None:
    with pytest.raises(CommandError, match=r"2031 does not exist.*years: 2027"):
        run("2031")


def test_dry_run_with_publish_is_refused(applied_2027: CampaignYear) -> None:
    with pytest.raises(CommandError, match="contradict"):
        run("2027", "--dry-run", "--publish")


def test_non_ministry_actor_is_refused(applied_2027: CampaignYear, coordinator: object) -> None:
    with pytest.raises(CommandError, match="not an active Ministry account"):
        run("2027", "--as", coordinator.username)  # type: ignore[attr-defined]
    assert not AllocationRun.objects.exists()


def test_year_without_applications_is_refused(campaign_2027: CampaignYear) -> None:
    with pytest.raises(CommandError, match="No region has applied"):
        run("2027")


def test_non_integer_year_is_refused() -> None:
    with pytest.raises(CommandError, match="invalid int value"):
        run("twenty")
