"""`manage.py allocate_weeks <year> [--dry-run] [--publish]`: run the allocator from the shell."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Role, User
from scheduling.models import CampaignYear, Region, RunStatus
from scheduling.selectors import latest_run, rank_histogram
from scheduling.services import AllocationConflict, allocation_run, version_publish

ERROR_NO_YEAR = "Campaign year {year} does not exist; open it first (years: {known})."
ERROR_NO_MINISTRY_USER = "No active Ministry account exists to record as the one who ran this."


class DryRunRollback(Exception):  # noqa: N818 - control flow for --dry-run
    pass


class Command(BaseCommand):
    help = "Allocate the Learning Weeks of a campaign year; --publish makes it the next version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="the campaign (ISO) year, e.g. 2027")
        parser.add_argument("--dry-run", action="store_true", help="solve and show; store nothing")
        parser.add_argument("--publish", action="store_true", help="publish the result")
        parser.add_argument("--as", dest="username", help="the Ministry user to record")

    def _actor(self, username: str | None) -> User:
        users = User.objects.filter(role=Role.MINISTRY, is_active=True)
        actor = users.filter(username=username).first() if username else users.first()
        if actor is None:
            raise CommandError(
                f"{username} is not an active Ministry account."
                if username
                else ERROR_NO_MINISTRY_USER
            )
        return actor

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"] and options["publish"]:
            raise CommandError("--dry-run and --publish contradict each other; choose one.")
        year = CampaignYear.objects.filter(year=options["year"]).first()
        if year is None:
            known = ", ".join(str(y) for y in CampaignYear.objects.values_list("year", flat=True))
            raise CommandError(ERROR_NO_YEAR.format(year=options["year"], known=known or "none"))
        actor = self._actor(options["username"])
        self.stdout.write(f"Allocating {year.year}: reading applications, weeks and pins…")
        try:
            with transaction.atomic():
                previous = latest_run(year)
                run = allocation_run(
                    actor=actor,
                    campaign_year=year,
                    expected_latest_run_id=previous.pk if previous else None,
                )
                self._report(run)
                if options["dry_run"]:
                    raise DryRunRollback
                if options["publish"] and run.status == RunStatus.SOLVED:
                    version = version_publish(actor=actor, campaign_year=year, run=run)
                    self.stdout.write(self.style.SUCCESS(f"Published as version {version.number}."))
        except DryRunRollback:
            self.stdout.write("Dry run: nothing stored.")
            return
        except (ValidationError, PermissionDenied, AllocationConflict) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        if run.status != RunStatus.SOLVED:
            raise CommandError(f"No allocation exists (run #{run.pk} stored with its problems).")

    def _report(self, run: Any) -> None:
        if run.status != RunStatus.SOLVED:
            self.stdout.write(self.style.ERROR("No allocation exists:"))
            for problem in run.problems:
                self.stdout.write(f"  - {problem['message']}")
            return
        names = dict(Region.objects.values_list("code", "short_name_zh"))
        self.stdout.write(
            f"Solved in {run.solve_ms:.1f} ms: worst rank {run.worst_cost}, total {run.total_cost}."
        )
        self.stdout.write(f"{'week':>4}  {'region':<10} {'code':<6} rank")
        for code, week in sorted(run.result.items(), key=lambda item: (item[1], item[0])):
            cost = run.costs.get(code)
            rank = "pinned" if cost is None else ("-" if cost == 6 else str(cost))
            self.stdout.write(f"{week:>4}  {names.get(code, code):<10} {code:<6} {rank}")
        histogram = rank_histogram(run)
        self.stdout.write("ranks: " + ", ".join(f"{k}: {v}" for k, v in histogram.items()))
