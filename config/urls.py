"""The platform's URLs: pages, auth, admin, API, health."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from config import views, views_auth
from events.api import register_routes as register_events_routes
from lecture_hall.api import register_routes as register_lecture_hall_routes
from scheduling.api import register_routes as register_scheduling_routes

router = DefaultRouter()
register_scheduling_routes(router)
register_events_routes(router)
register_lecture_hall_routes(router)

handler404 = views.not_found

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views_auth.SignInView.as_view(), name="login"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("calendar/", include("events.feed_urls")),
    path("calendar/", include("lecture_hall.feed_urls")),
    path("", include("scheduling.urls")),
    path("", include("events.urls")),
    path("", include("events.statistics.urls")),
    path("", include("events.reminders.urls")),
    path("", include("lecture_hall.urls")),
    path("", include("lecture_hall.live.urls")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (/api/docs/?script=): the
    # content security policy allows no inline script. Its page template has no inline style.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
