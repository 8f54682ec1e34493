"""Fixtures of the example project's tests: styles, the seeded drive, one seeded database."""

from __future__ import annotations

import io
import runpy

import pytest
from django.core.management import call_command
from django.test import override_settings

from api_errors.limits.counters import limits_cache
from example_project.drive.management.commands.seed_demo import DEMO_KEY
from example_project.drive.models import DriveItem
from tests.example.support import (
    EXAMPLE_API_ERRORS,
    EXAMPLE_ENVIRONMENT,
    EXPECTED,
    SETTINGS_PATH,
    STYLES,
    bearer,
    example_env,
    manage,
)


@pytest.fixture(autouse=True)
def fresh_counters():
    """No rate-limit or quota counts from another test."""
    limits_cache().clear()
    yield
    limits_cache().clear()


@pytest.fixture
def example_api_errors():
    with override_settings(API_ERRORS={"STYLE": "status", **EXAMPLE_API_ERRORS}):
        yield


@pytest.fixture(params=STYLES)
def style(request):
    with override_settings(API_ERRORS={"STYLE": request.param, **EXAMPLE_API_ERRORS}):
        yield request.param


@pytest.fixture
def expected(style):
    return EXPECTED[style]


@pytest.fixture
def items(db):
    call_command("seed_demo", stdout=io.StringIO())
    return {item.name: item for item in DriveItem.objects.all()}


@pytest.fixture
def api(client, items):
    """``api.get(path)`` / ``api.post(path, data)`` with the demo key."""

    class Api:
        def get(self, path, **kwargs):
            return client.get(path, headers=bearer(DEMO_KEY), **kwargs)

        def post(self, path, data):
            return client.post(
                path, data, content_type="application/json", headers=bearer(DEMO_KEY)
            )

    return Api()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory):
    """One migrated and seeded database, copied for each server."""
    db_path = tmp_path_factory.mktemp("example") / "db.sqlite3"
    env = example_env("status", db_path)
    for args in (["migrate", "--noinput"], ["seed_demo"]):
        result = manage(*args, env=env)
        assert result.returncode == 0, result.stderr
    return db_path


@pytest.fixture
def example_settings(monkeypatch):
    """``example_settings(NAME=value, ...)``: the example's settings under that environment."""
    for name in EXAMPLE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)

    def load(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_PATH))

    return load
