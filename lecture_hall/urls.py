"""Page URLs of the lecture hall: the public hall, sessions, lecturers, series, the dashboard."""

from django.urls import URLPattern, path

from lecture_hall import views

app_name = "lecture_hall"

urlpatterns: list[URLPattern] = [
    path("lectures/", views.home, name="home"),
    path("lectures/dashboard/", views.dashboard, name="dashboard"),
    # Sessions
    path("lectures/sessions/new/", views.session_create, name="session_create"),
    path("lectures/sessions/<int:pk>/", views.session_detail, name="session"),
    path("lectures/sessions/<int:pk>/edit/", views.session_update, name="session_update"),
    path("lectures/sessions/<int:pk>/publish/", views.session_publish, name="session_publish"),
    path(
        "lectures/sessions/<int:pk>/reschedule/",
        views.session_reschedule,
        name="session_reschedule",
    ),
    path("lectures/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path(
        "lectures/sessions/<int:pk>/duplicate/", views.session_duplicate, name="session_duplicate"
    ),
    path("lectures/sessions/<int:pk>/end/", views.session_end, name="session_end"),
    path("lectures/sessions/<int:pk>/history/", views.session_history, name="session_history"),
    # Lecturers
    path("lectures/lecturers/", views.lecturer_list, name="lecturer_list"),
    path("lectures/lecturers/new/", views.lecturer_create, name="lecturer_create"),
    path("lectures/lecturers/request/", views.lecturer_request, name="lecturer_request"),
    path("lectures/lecturers/requests/", views.lecturer_decide, name="lecturer_decide"),
    path("lectures/lecturers/<int:pk>/", views.lecturer_detail, name="lecturer"),
    path("lectures/lecturers/<int:pk>/edit/", views.lecturer_update, name="lecturer_update"),
    # Series
    path("lectures/series/", views.series_list, name="series_list"),
    path("lectures/series/new/", views.series_create, name="series_create"),
    path("lectures/series/<int:pk>/", views.series_detail, name="series"),
    path("lectures/series/<int:pk>/edit/", views.series_update, name="series_update"),
]
