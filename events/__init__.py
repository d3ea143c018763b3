"""Everything on the calendar: activities of the five types, feeds, reminders, statistics."""
