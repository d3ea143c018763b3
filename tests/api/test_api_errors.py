"""What the schema fuzzing found, pinned down: answers an API client reads, in the shape the
schema documents."""

import pytest
from django.test import Client

from scheduling.api.base import ERROR_UNKNOWN_REGION
from scheduling.pagination import ERROR_PAGE_PARAMETER
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def api() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/events/-1/", "/api/years/27/"])
def test_an_address_the_api_lacks_is_answered_in_json(path: str) -> None:
    response = api().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "There is no such API address; every address is listed at /api/docs/."
    }


def test_an_address_outside_the_api_still_gets_the_page() -> None:
    response = api().get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_address_without_its_slash_is_still_redirected() -> None:
    assert api().get("/api/events").status_code == 301


def test_an_unknown_region_is_named() -> None:
    response = api().get("/api/regions/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": str(ERROR_UNKNOWN_REGION % {"code": "999999"})}


@pytest.mark.parametrize(
    ("query", "name", "maximum"),
    [
        ("limit=null", "limit", 1000),
        ("limit=0", "limit", 1000),
        ("limit=1001", "limit", 1000),
        ("offset=-5", "offset", 10**9),
        ("offset=99999999999999999999999", "offset", 10**9),
    ],
)
def test_a_page_parameter_that_is_no_page_is_refused_naming_it(
    query: str, name: str, maximum: int
) -> None:
    EventFactory()
    response = api().get(f"/api/events/?{query}")
    assert response.status_code == 400
    message = ERROR_PAGE_PARAMETER % {
        "name": name,
        "minimum": 1 if name == "limit" else 0,
        "maximum": maximum,
    }
    assert response.json() == {"errors": {name: [str(message)]}}


def test_a_good_page_still_pages() -> None:
    EventFactory.create_batch(3)
    body = api().get("/api/events/?limit=2&offset=1").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2


def test_an_id_too_large_for_the_database_is_refused_naming_its_field(
    ministry_user: object,
) -> None:
    client = api()
    client.force_login(ministry_user)  # type: ignore[arg-type]
    huge = 10**25
    response = client.post(
        "/api/sessions/",
        {
            "title": "讲座",
            "starts_at": "2027-03-10T19:00:00+08:00",
            "duration_minutes": 90,
            "lecturer_ids": [huge],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lecturer_ids"]
    assert str(2**63 - 1) in response.json()["errors"]["lecturer_ids"][0]


def test_the_schema_describes_what_the_api_answers() -> None:
    schema = api().get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    # Links may be empty: no `uri` format, which the empty string would break.
    assert "format" not in components["Event"]["properties"]["online_url"]
    assert "format" not in components["Session"]["properties"]["replay_url"]
    # The national roll-up is one object, not a list of them.
    national = schema["paths"]["/api/years/{year}/statistics/"]["get"]["responses"]["200"]
    assert national["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/National"
    }


def test_a_view_without_the_apps_mixins_still_answers_a_bad_page_with_400() -> None:
    from rest_framework import generics, serializers
    from rest_framework.test import APIRequestFactory

    from scheduling.models import Region

    class Codes(serializers.ModelSerializer[Region]):
        class Meta:
            model = Region
            fields = ["code"]

    class Plain(generics.ListAPIView[Region]):
        queryset = Region.objects.order_by("code")
        serializer_class = Codes
        permission_classes = ()

    view = Plain.as_view()
    assert view(APIRequestFactory().get("/x/", {"limit": "2"})).data["count"] == 37
    response = view(APIRequestFactory().get("/x/", {"limit": "lots"}))
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["limit"]
