"""Pages of the events app, by part: the public calendar, coordinators' entry and import, plans
and nominations with the Ministry's review, and the year's coverage and showcase."""
