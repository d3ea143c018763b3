"""Models of the events app, one module per part; import them from `events.models`.

- calendar: events of the five activity types, plans, nominations, feeds and subscriptions
- statistics: the statistics table's header, adjustments and submitted snapshots
"""

from events.models.calendar import (
    ACTIVITY_TYPE_NOTICE_NAMES,
    LEVEL_NOTICE_NAMES,
    ActivityType,
    CalendarSubscription,
    Event,
    EventSource,
    EventStatus,
    EventTag,
    FeedState,
    Level,
    Nomination,
    NominationKind,
    RegionReopening,
    ReviewStatus,
    WorkPlan,
)
from events.models.statistics import (
    StatisticsAdjustment,
    StatisticsSubmission,
    StatisticsTable,
)

__all__ = [
    "ACTIVITY_TYPE_NOTICE_NAMES",
    "LEVEL_NOTICE_NAMES",
    "ActivityType",
    "CalendarSubscription",
    "Event",
    "EventSource",
    "EventStatus",
    "EventTag",
    "FeedState",
    "Level",
    "Nomination",
    "NominationKind",
    "RegionReopening",
    "ReviewStatus",
    "StatisticsAdjustment",
    "StatisticsSubmission",
    "StatisticsTable",
    "WorkPlan",
]
