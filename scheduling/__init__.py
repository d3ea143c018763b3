"""The year itself: regions, campaign years, ISO weeks and holidays, applications, allocation."""
