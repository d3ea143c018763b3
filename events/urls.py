"""Page URLs of events: the public calendar, event pages, coordinator entry and import,
plans and nominations, coverage and the showcase."""

from django.urls import URLPattern, path, register_converter

from events.views import calendar, entry, reports, review, submissions

app_name = "events"


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"


class TwoDigitMonth:
    regex = "[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):02d}"


class ItemKind:
    regex = "plan|nomination"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FourDigitYear, "events_yyyy")
register_converter(TwoDigitMonth, "events_mm")
register_converter(ItemKind, "events_item")

urlpatterns: list[URLPattern] = [
    path("events/", calendar.event_list_page, name="list"),
    path("events/month/", calendar.month_page, name="month"),
    path("events/month/<events_yyyy:year>/<events_mm:month>/", calendar.month_page, name="month"),
    path("events/new/", entry.event_new, name="new"),
    path("events/mine/", entry.my_events, name="mine"),
    path("events/import/", entry.events_import_page, name="import"),
    path("events/import/template.xlsx", entry.import_template_xlsx, name="template_xlsx"),
    path("events/import/template.csv", entry.import_template_csv, name="template_csv"),
    path(
        "events/materials/<events_item:kind>/<int:item_id>/",
        submissions.material,
        name="material",
    ),
    path("events/<int:event_id>/", calendar.event_detail, name="detail"),
    path("events/<int:event_id>/edit/", entry.event_edit, name="edit"),
    path("events/<int:event_id>/cancel/", entry.event_cancel_page, name="cancel"),
    path("events/<int:event_id>/participants/", entry.event_participants, name="participants"),
    path("events/<int:year>/plan/", submissions.plan_page, name="plan"),
    path("events/<int:year>/nominations/", submissions.nominations_page, name="nominations"),
    path("events/<int:year>/review/", review.review_page, name="review"),
    path("events/<int:year>/review.csv", review.review_csv, name="review_csv"),
    path("events/<int:year>/review/reopen/", review.review_reopen, name="reopen"),
    path(
        "events/<int:year>/review/<events_item:kind>/<int:item_id>/",
        review.review_item,
        name="review_item",
    ),
    path("events/<int:year>/coverage/", reports.coverage_page, name="coverage"),
    path("events/<int:year>/progress/", reports.progress_page, name="progress"),
    path("events/<int:year>/showcase/", reports.showcase_page, name="showcase"),
]
