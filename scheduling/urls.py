"""Page URLs of scheduling: the public year calendar, the coordinator's application, the
Ministry's allocation dashboard."""

from django.urls import URLPattern, path

from scheduling import views

app_name = "scheduling"

urlpatterns: list[URLPattern] = [
    path("calendar/", views.year_latest, name="year_latest"),
    path("calendar/apply/", views.apply_latest, name="apply_latest"),
    path("calendar/manage/", views.manage_latest, name="manage_latest"),
    path("calendar/manage/open/", views.manage_open, name="manage_open"),
    path("calendar/<int:year>/", views.year_page, name="year"),
    path("calendar/<int:year>/apply/", views.apply, name="apply"),
    path("calendar/<int:year>/manage/", views.manage, name="manage"),
    path("calendar/<int:year>/manage/run/", views.manage_run, name="manage_run"),
    path("calendar/<int:year>/manage/publish/", views.manage_publish, name="manage_publish"),
    path("calendar/<int:year>/manage/pins/", views.manage_pin, name="manage_pin"),
    path("calendar/<int:year>/manage/pins/clear/", views.manage_unpin, name="manage_unpin"),
    path("calendar/<int:year>/manage/weeks/", views.manage_week, name="manage_week"),
    path("calendar/<int:year>/manage/days/", views.manage_day, name="manage_day"),
]
