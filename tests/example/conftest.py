"""Fixtures of the example project's tests: styles, the seeded drive, one seeded database."""

from __future__ import annotations

import io
import runpy

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from drf_spectacular.settings import spectacular_settings

from api_errors.limits import forget_refusals
from api_errors.limits.counters import limits_cache
from example_project.drive.keys import forget_keys
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
    """No rate-limit or quota counts, refusals or cached keys from another test."""
    for forget in (limits_cache().clear, forget_refusals, forget_keys):
        forget()
    yield
    for forget in (limits_cache().clear, forget_refusals, forget_keys):
        forget()


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


# The example's settings that shape what it serves; the database, cache and logging stay the
# test suite's.
SERVED_SETTINGS = (
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "TEMPLATES",
    "STATIC_URL",
    "REST_FRAMEWORK",
    "LANGUAGES",
    "LANGUAGE_CODE",
    "USE_I18N",
)


@pytest.fixture
def served_as_example(example_settings, monkeypatch, style):
    """The example's own settings for the test client, in ``style``."""
    example = example_settings()
    # drf-spectacular reads its settings once: set the example's on its settings object.
    for name, value in example["SPECTACULAR_SETTINGS"].items():
        monkeypatch.setattr(spectacular_settings, name, value)
    served = {name: example[name] for name in SERVED_SETTINGS}
    api_errors = {**example["API_ERRORS"], "STYLE": style}
    # LocaleMiddleware leaves a request's language active: the next test gets its own back.
    with translation.override(None), override_settings(**served, API_ERRORS=api_errors):
        assert django_settings.DEBUG is False
        yield style
