"""The web shell: Chinese first, English on request, the language switch, no foreign assets."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_chinese_by_default(client: Client) -> None:
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "让学习成为一种生活方式" in html
    assert "37 个参与地区" in html
    assert "新疆生产建设兵团" in html


def test_home_in_english_when_the_browser_asks(client: Client) -> None:
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Make learning a way of life" in html
    assert "The 37 participating regions" in html
    assert "Xinjiang Production and Construction Corps" in html


def test_language_switch_remembers_the_choice(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Make learning a way of life" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "让学习成为一种生活方式" in client.get("/").content.decode()


def test_language_switch_ignores_an_unknown_language(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()


def test_pages_load_nothing_from_another_origin(client: Client) -> None:
    for url in (reverse("home"), reverse("login"), reverse("password_reset")):
        html = client.get(url).content.decode()
        assert not re.search(r'(src|href)=["\']https?://', html), url


def test_api_docs_are_served_from_our_own_static_files(client: Client) -> None:
    html = client.get(reverse("api-docs")).content.decode()
    assert not re.search(r'(src|href)=["\']https?://', html)
    assert "swagger-ui" in html


def test_signed_in_coordinator_sees_sign_out(client: Client, coordinator: object) -> None:
    client.force_login(coordinator)  # type: ignore[arg-type]
    html = client.get("/").content.decode()
    assert "退出登录" in html
