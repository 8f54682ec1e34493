"""The example's settings under its environment variables, its system checks, and seed_demo."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from example_project.drive.management.commands.seed_demo import (
    DEMO_KEY,
    DISABLED_KEY,
    EXPIRED_KEY,
    LOW_BALANCE_KEY,
    SMALL_QUOTA_KEY,
)
from example_project.drive.models import ApiKey, ConnectorLink, DriveItem
from tests.example.support import (
    EXAMPLE_API_ERRORS,
    SETTINGS_PATH,
    STYLES,
    example_env,
    free_port,
    manage,
)

pytestmark = pytest.mark.urls("example_project.urls")


def test_seed_demo_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    DriveItem.objects.filter(name="video.mp4").update(state=DriveItem.State.READY)
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert f"Demo API key: {DEMO_KEY}" in printed
    for key in (DEMO_KEY, LOW_BALANCE_KEY, SMALL_QUOTA_KEY, EXPIRED_KEY, DISABLED_KEY):
        assert key in printed
    assert ApiKey.objects.count() == 5
    assert list(ConnectorLink.objects.values_list("api_key__key", "connector")) == [
        (DEMO_KEY, "wps")
    ]
    assert DriveItem.objects.count() == 3
    assert DriveItem.objects.get(name="video.mp4").state == DriveItem.State.PROCESSING


def test_seed_demo_seeds_even_when_the_cache_is_down(db):
    closed = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    closed["default"]["LOCATION"] = f"redis://127.0.0.1:{free_port()}/0"
    err = io.StringIO()
    with override_settings(CACHES=closed):
        call_command("seed_demo", stdout=io.StringIO(), stderr=err)
    assert "Could not reset this month's search quotas" in err.getvalue()
    assert ApiKey.objects.get(key=DEMO_KEY).balance == 100


def test_migrations_are_up_to_date(db):
    call_command("makemigrations", "drive", check=True, dry_run=True, stdout=io.StringIO())


def test_settings_follow_the_environment(example_settings, tmp_path):
    defaults = example_settings()
    assert defaults["API_ERRORS"] == {"STYLE": "status", **EXAMPLE_API_ERRORS}
    assert defaults["DEBUG"] is False
    assert defaults["DATABASES"]["default"]["NAME"] == SETTINGS_PATH.parent / "db.sqlite3"

    custom = example_settings(
        API_ERRORS_STYLE="problem",
        API_ERRORS_CATALOG="platform",
        EXAMPLE_DB_PATH=str(tmp_path / "x.sqlite3"),
        DJANGO_DEBUG="1",
    )
    assert custom["API_ERRORS"] == {"STYLE": "problem", "CATALOG": "platform", **EXAMPLE_API_ERRORS}
    assert custom["DEBUG"] is True
    assert custom["DATABASES"]["default"]["NAME"] == str(tmp_path / "x.sqlite3")
    assert custom["MIDDLEWARE"][0] == "api_errors.middleware.APIErrorsMiddleware"


def test_local_memory_cache_silences_only_the_shared_cache_warning(example_settings):
    settings = example_settings()
    assert settings["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert settings["SILENCED_SYSTEM_CHECKS"] == ["api_errors.W003"]


def test_redis_url_shares_the_counters_and_keeps_the_warning(example_settings):
    settings = example_settings(REDIS_URL="redis://cache.internal:6380/2")
    assert settings["CACHES"] == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache.internal:6380/2",
            "KEY_PREFIX": "",
        }
    }
    assert settings["SILENCED_SYSTEM_CHECKS"] == []


def test_cache_key_prefix_separates_deployments_on_one_redis(example_settings):
    settings = example_settings(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX="staging")
    assert settings["CACHES"]["default"]["KEY_PREFIX"] == "staging"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://app@db.internal:6432/drive",
            {"NAME": "drive", "USER": "app", "PASSWORD": "", "HOST": "db.internal", "PORT": "6432"},
        ),
        (
            "postgresql://app:p%40ss%2Fw@127.0.0.1/drive",
            {"NAME": "drive", "USER": "app", "PASSWORD": "p@ss/w", "HOST": "127.0.0.1", "PORT": ""},
        ),
    ],
)
def test_database_url_switches_to_postgresql(example_settings, url, expected):
    database = example_settings(DATABASE_URL=url)["DATABASES"]["default"]
    assert database == {
        "ENGINE": "django.db.backends.postgresql",
        **expected,
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


@pytest.mark.parametrize(
    "url", ["mysql://app@db/drive", "postgres://app@db.internal:5432/", "sqlite:///x.db"]
)
def test_unusable_database_url_is_a_configuration_error(example_settings, url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        example_settings(DATABASE_URL=url)


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/14"], ids=["locmem", "redis"])
@pytest.mark.parametrize("server_style", STYLES)
def test_example_settings_pass_the_system_checks(server_style, redis_url, tmp_path):
    """With local memory W003 is silenced (one process); with Redis there is nothing to say.
    The check reads settings only: no Redis needed."""
    env = example_env(server_style, tmp_path / "db.sqlite3", REDIS_URL=redis_url)
    result = manage("check", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    silenced = "1 silenced" if not redis_url else "0 silenced"
    assert f"System check identified no issues ({silenced})." in result.stdout
