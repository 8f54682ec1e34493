"""Exact codes belong to one catalog: ``codes`` names one per catalog, and the check says
what to do when a class names a code the active catalog does not have."""

import gc

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from api_errors import APIError


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("status", (403, 68300006, "error_code")),
        ("success", (403, "ACCESS_DENIED", "error_code")),
        ("problem", (403, "ACCESS_DENIED", "code")),
    ],
)
def test_one_class_answers_with_each_catalogs_own_code(client, settings, style, expected):
    settings.API_ERRORS = {"STYLE": style}
    status, code, field = expected

    response = client.get("/api/plain/exact-codes/")

    assert response.status_code == status
    assert response.json()[field] == code


def test_a_catalog_the_class_names_no_code_for_answers_its_condition(client, settings):
    settings.API_ERRORS = {"STYLE": "success", "CATALOG": "tests.test_exact_codes.RENAMED"}

    response = client.get("/api/plain/exact-codes/")

    # AnalyticAccessError is an AccessDenied: permission_denied in this catalog.
    assert response.status_code == 403
    assert response.json()["error_code"] == "ACCESS_DENIED"


def _renamed_drive():
    from api_errors.catalog import Preset
    from api_errors.catalog.presets import DRIVE

    return Preset("renamed-drive", DRIVE.entries, DRIVE.conditions)


RENAMED = _renamed_drive()


def api_ids():
    return {m.id for m in run_checks() if (m.id or "").startswith("api_errors.")}


@pytest.mark.parametrize("style", ["status", "success", "problem"])
def test_codes_for_every_catalog_pass_the_checks_in_every_style(style):
    with override_settings(API_ERRORS={"STYLE": style}):
        assert api_ids() == set()


def test_a_code_of_another_catalog_is_reported_with_what_to_do():
    class PlatformOnly(APIError):
        code = 68300006

    try:
        with override_settings(API_ERRORS={"STYLE": "success"}):
            [message] = [m for m in run_checks() if m.id == "api_errors.E018"]
        with override_settings(API_ERRORS={"STYLE": "status"}):
            clean = api_ids()
    finally:
        del PlatformOnly
        gc.collect()
    assert "68300006" in message.msg
    assert "'drive' catalog" in message.msg
    assert "codes = {'platform': ..., 'drive': ...}" in message.hint
    assert clean == set()
