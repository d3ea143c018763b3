"""Models of the events app, one module per part; import them from `events.models`.

- calendar: events of the five activity types, plans, nominations, feeds and subscriptions
- reminders: reminder requests, their deliveries, change notices
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
from events.models.reminders import (
    ChangeNotice,
    DeliveryStatus,
    NoticeDelivery,
    NoticeOptOut,
    ReminderDelivery,
    ReminderOffset,
    ReminderRequest,
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
    "ChangeNotice",
    "DeliveryStatus",
    "Event",
    "EventSource",
    "EventStatus",
    "EventTag",
    "FeedState",
    "Level",
    "Nomination",
    "NominationKind",
    "NoticeDelivery",
    "NoticeOptOut",
    "RegionReopening",
    "ReminderDelivery",
    "ReminderOffset",
    "ReminderRequest",
    "ReviewStatus",
    "StatisticsAdjustment",
    "StatisticsSubmission",
    "StatisticsTable",
    "WorkPlan",
]
