"""Reminders and change notices: rows in the database, sent by Celery exactly once."""
