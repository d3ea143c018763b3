"""The lecture hall's demo data: the year's programme (`year`) and the days around today
(`week`: this week, a talk live now, attendance, residents' follows and reminders)."""

from lecture_hall.demo.week import demo_live_session, seed_attendance, seed_audience, seed_this_week
from lecture_hall.demo.year import seed_lecture_hall

__all__ = [
    "demo_live_session",
    "seed_attendance",
    "seed_audience",
    "seed_lecture_hall",
    "seed_this_week",
]
