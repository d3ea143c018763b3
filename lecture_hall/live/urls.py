"""Live room pages: the room, the lecturer's live panel, the attendance page and its CSV."""

from django.urls import URLPattern, path

from lecture_hall.live import views

app_name = "live"

urlpatterns: list[URLPattern] = [
    path("lectures/sessions/<int:pk>/live/", views.room, name="room"),
    path("lectures/sessions/<int:pk>/live/count.json", views.room_count, name="count"),
    path("lectures/sessions/<int:pk>/live/panel/", views.panel, name="panel"),
    path("lectures/sessions/<int:pk>/live/announce/", views.announce, name="announce"),
    path("lectures/sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("lectures/sessions/<int:pk>/attendance.csv", views.attendance_csv, name="attendance_csv"),
]
