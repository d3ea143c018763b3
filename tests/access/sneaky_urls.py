"""The project's URLs plus one page that writes without a case in the matrix, for the test
that shows the completeness guard fails on it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def sneaky_write(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stored")


urlpatterns = [*project_urlpatterns, path("sneaky/", sneaky_write, name="sneaky-write")]
