"""Start-up configuration: a missing or malformed variable stops start-up, naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "9f8e7d6c5b4a3928171605f4e3d2c1b0a99887766"


def _check(
    env_overrides: dict[str, str], settings_module: str = "config.settings.base"
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
        and not k.startswith("DJANGO_")
    }
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql2://db/x"),
        ("REDIS_URL", "127.0.0.1:6379"),
        ("CELERY_BROKER_URL", "kafka://broker"),
        ("EMAIL_URL", "smtp//mail"),
    ],
)
def test_malformed_url_stops_startup_naming_the_variable(variable: str, value: str) -> None:
    result = _check({variable: value})
    assert result.returncode != 0
    assert f"{variable} is malformed" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_embedded_defaults_start_with_nothing_set(tmp_path: Path) -> None:
    result = _check({"PLATFORM_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "broker" / "queue").is_dir()


def test_production_without_secret_key_names_it() -> None:
    result = _check(
        {"DJANGO_ALLOWED_HOSTS": "learn.example.cn", "EMAIL_URL": "smtp://mail.example.cn:25"},
        "config.settings.production",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_without_allowed_hosts_names_it() -> None:
    result = _check(
        {"DJANGO_SECRET_KEY": STRONG_KEY, "EMAIL_URL": "smtp://mail.example.cn:25"},
        "config.settings.production",
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set in production" in result.stderr


def test_production_without_email_url_names_it() -> None:
    result = _check(
        {"DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "learn.example.cn"},
        "config.settings.production",
    )
    assert result.returncode != 0
    assert "EMAIL_URL must be set in production" in result.stderr


def test_production_refuses_the_embedded_secret() -> None:
    result = _check(
        {"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "learn.example.cn"},
        "config.settings.production",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_production_deploy_check_is_clean() -> None:
    env = {
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "DJANGO_ALLOWED_HOSTS": "learn.example.cn",
        "EMAIL_URL": "smtp+tls://mailer:pw@mail.example.cn:587",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCTION = {
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "learn.example.cn",
    "EMAIL_URL": "smtp://mail.example.cn:25",
}


def _public_base_url(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _check(
        {**PRODUCTION, **env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
        "config.settings.production",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PUBLIC_BASE_URL": "http://learn.example.cn"}, "must be the site's https:// address"),
        ({"PUBLIC_BASE_URL": "learn.example.cn"}, "must be the site's https:// address"),
        ({"DJANGO_ALLOWED_HOSTS": ".example.cn"}, "PUBLIC_BASE_URL must be set in production"),
    ],
)
def test_production_needs_an_https_address_for_links_in_emails(
    env: dict[str, str], message: str
) -> None:
    """Reminder, notice and sign-up emails carry absolute links: never http://127.0.0.1:8000."""
    result = _public_base_url(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_links_default_to_the_first_allowed_host() -> None:
    probe = "from django.conf import settings; print('URL', settings.PUBLIC_BASE_URL)"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL"}
        and not k.startswith("DJANGO_")
    }
    env.update({**PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    for extra, expected in [
        ({}, "https://learn.example.cn"),
        ({"PUBLIC_BASE_URL": "https://xuexi.example.cn/"}, "https://xuexi.example.cn"),
    ]:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", probe],
            cwd=ROOT, env={**env, **extra}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert f"URL {expected}" in result.stdout, result.stderr
