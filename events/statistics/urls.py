"""Statistics table pages and exports (/reports/…)."""

from django.urls import URLPattern, path, register_converter

from events.statistics import views

app_name = "statistics"


class Year:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"


class RegionCode:
    regex = "[1-9][0-9]{5}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Year, "statistics_yyyy")
register_converter(RegionCode, "statistics_region")

urlpatterns: list[URLPattern] = [
    path("reports/", views.index, name="index"),
    path("reports/<statistics_yyyy:year>/", views.national_page, name="national"),
    path("reports/<statistics_yyyy:year>/national.xlsx", views.national_xlsx, name="national_xlsx"),
    path("reports/<statistics_yyyy:year>/national.csv", views.national_csv, name="national_csv"),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>.xlsx",
        views.region_xlsx,
        name="region_xlsx",
    ),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>.csv",
        views.region_csv,
        name="region_csv",
    ),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>/", views.region_page, name="region"
    ),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>/adjust/",
        views.adjust_page,
        name="adjust",
    ),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>/header/",
        views.header_page,
        name="header",
    ),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>/submit/",
        views.submit,
        name="submit",
    ),
    path(
        "reports/<statistics_yyyy:year>/<statistics_region:code>/reopen/",
        views.reopen,
        name="reopen",
    ),
]
