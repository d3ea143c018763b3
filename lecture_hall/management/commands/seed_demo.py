"""`manage.py seed_demo`: a full, realistic demo year; safe to run again (it never doubles).

The year itself is made once; the days around today (this week's talks, one live now, the
attendance of held talks, residents' reminders) are topped up when the date has moved on.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import connection, transaction

from accounts.demo import DEMO_PASSWORD, seed_people
from accounts.models import User
from config.progress import Progress
from events.demo import seed_events, seed_submissions
from events.statistics.demo import seed_statistics
from lecture_hall.demo import (
    demo_live_session,
    seed_attendance,
    seed_audience,
    seed_lecture_hall,
    seed_this_week,
)
from scheduling.demo import seed_scheduling
from scheduling.models import CampaignYear, Region

LAST_YEAR_EVENTS_PER_REGION = 40

ERROR_PRODUCTION = (
    "seed_demo creates accounts with a published demo password; it refuses to run with "
    "DEBUG off and a non-embedded database unless you pass --force."
)


class Unended:
    """The command's output without OutputWrapper's automatic newline after every write: the
    progress bar redraws its own line and ends it itself."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str, /) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()


class Command(BaseCommand):
    help = "Create demo people and a realistic campaign year. Running it twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even on a production-looking setup."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        production_like = (
            not settings.DEBUG
            and connection.vendor != "sqlite"
            and "embedded-mode" not in settings.SECRET_KEY
        )
        if production_like and not options["force"]:
            raise CommandError(ERROR_PRODUCTION)

        progress = Progress(Unended(self.stdout))
        started = time.monotonic()
        self.stdout.write("Seeding demo data…")
        with transaction.atomic():
            regions = dict(Region.objects.values_list("code", "short_name_zh"))
            people = seed_people(regions, progress)
            seed_scheduling(progress)
            year = CampaignYear.objects.get(year=2027)
            last_year = CampaignYear.objects.get(year=2026)
            ministry = User.objects.get(username="ministry")
            seed_events(year, progress)
            # Last year, lighter: what already happened, so its statistics show real figures.
            seed_events(last_year, progress, per_region=LAST_YEAR_EVENTS_PER_REGION)
            seed_submissions(year, ministry, progress)
            seed_lecture_hall(progress)
            seed_this_week(progress)
            seed_attendance(progress)
            seed_audience(progress)
            seed_statistics(last_year, progress)
            seed_statistics(year, progress)
        live = demo_live_session()
        self.stdout.write(f"  ✓ done in {time.monotonic() - started:.1f} s")
        if live is not None:
            self.stdout.write(
                f"Live now: “{live.title}” at /lectures/sessions/{live.pk}/ "
                "(`python3 dev.py run --live-viewers 40` sends it simulated viewers)"
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        rows = [
            ("Ministry staff", people.ministry),
            ("Coordinator (e.g. Beijing)", "coord-110000  (coord-<region code>)"),
            ("Lecturer", f"lecturer-01 … lecturer-{people.lecturers:02d}"),
            ("Resident", f"resident-01 … resident-{people.residents:02d}"),
        ]
        for role, username in rows:
            self.stdout.write(f"  {role:<28} {username}")
        self.stdout.write(f"  {'Password (all demo accounts)':<28} {DEMO_PASSWORD}")
