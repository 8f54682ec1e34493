"""The pytest plugin, run by pytest itself (pytester): contract mode, its opt-out marker,
the fixtures and ``assert_api_error`` in other projects' tests.

The in-process runs share this suite's Django settings (``-p no:django``: Django is set
up already); the subprocess runs are projects of their own.
"""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from api_errors.testing.plugin import OPTION

pytest_plugins = ["pytester"]

IN_PROCESS = (
    *("-p", "no:django", "-p", "no:cacheprovider"),
    *("-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function"),
)

CONTRACT_TESTS = """
import pytest
from django.test import AsyncClient, Client
from rest_framework.test import APIClient


def test_documented():
    assert Client().get("/api/things/1/").status_code == 200


def test_undocumented_status():
    Client().get("/api/things/1/?answer=teapot")


def test_inside_pytest_raises():
    with pytest.raises(ZeroDivisionError):
        Client().get("/api/things/1/?answer=teapot")
        1 / 0


def quietly(path):
    try:
        Client().get(path)
        raise ValueError("swallowed")
    except ValueError:
        pass


def test_inside_a_helper_that_catches_everything():
    quietly("/api/things/1/?answer=no-header")


async def test_async_client():
    await AsyncClient().get("/api/things/1/?answer=wrong-body")


def test_drf_api_client():
    APIClient().get("/api/things/1/?answer=text")


# Receives an undocumented answer on purpose.
@pytest.mark.api_errors_contract(False)
def test_opted_out():
    assert Client().get("/api/things/1/?answer=teapot").status_code == 418


def test_not_an_operation_of_the_schema():
    assert Client().get("/api/plain/teapot/").status_code == 418
    assert Client().delete("/api/things/special/").status_code == 405


@pytest.fixture
def teapot():
    return Client().get("/api/things/1/?answer=teapot")


def test_in_a_fixture(teapot):
    pass


def test_that_fails_on_its_own():
    Client().get("/api/things/1/?answer=teapot")
    raise AssertionError("its own failure")


def test_that_fails_with_documented_responses_only():
    Client().get("/api/things/1/")
    raise AssertionError("nothing but its own failure")


@pytest.mark.api_errors_contract("off")
def test_with_a_misused_marker():
    pass
"""


@pytest.fixture
def contract_tests(pytester):
    pytester.makepyfile(test_contract=CONTRACT_TESTS)
    return pytester


@pytest.mark.urls("tests.urls_contract")
def test_contract_mode_fails_the_test_that_received_an_undocumented_response(contract_tests):
    result = contract_tests.runpytest_inprocess(*IN_PROCESS, OPTION)

    result.assert_outcomes(passed=3, failed=7, errors=2)
    output = result.stdout.str()
    for name in (
        "test_undocumented_status",
        "test_inside_pytest_raises",
        "test_inside_a_helper_that_catches_everything",
        "test_async_client",
        "test_drf_api_client",
        "test_that_fails_on_its_own",
        "test_that_fails_with_documented_responses_only",
    ):
        assert f"FAILED test_contract.py::{name}" in output
    assert "ERROR test_contract.py::test_in_a_fixture" in output
    result.stdout.fnmatch_lines(
        [
            "*_ test_undocumented_status _*",
            "1 response broke the OpenAPI contract (--api-errors-contract):",
            "",
            "things_retrieve (GET /api/things/{thing_id}/) answered what its OpenAPI schema "
            "does not document:",
            "  - HTTP 418 is not documented (documented: 200, 404, 405, 406, 500)",
            "Response: HTTP 418",
            "  Content-Type: application/json",
            "  X-Correlation-ID: *",
            "Body:",
            "{",
            '  "name": "tea"',
            "}",
        ]
    )
    assert "  - the required header X-Thing-Version is missing" in output
    assert "  - name: 5 is not of type 'string'" in output
    assert "  - Content-Type text/plain is not documented (application/json)" in output
    # A test that failed anyway keeps its own failure and shows the violation beside it.
    result.stdout.fnmatch_lines(
        [
            "*_ test_that_fails_on_its_own _*",
            "*AssertionError: its own failure",
            "*Captured api_errors contract call*",
            "1 response broke the OpenAPI contract (--api-errors-contract):",
        ]
    )
    assert "test_with_a_misused_marker: write @pytest.mark.api_errors_contract(False)" in output
    assert output.count("Captured api_errors contract call") == 1


# The run inside receives undocumented responses on purpose, and without the option they
# would reach this test's own contract checks.
@pytest.mark.api_errors_contract(False)
@pytest.mark.urls("tests.urls_contract")
def test_without_the_option_responses_are_not_checked(contract_tests):
    result = contract_tests.runpytest_inprocess(*IN_PROCESS)

    result.assert_outcomes(passed=10, failed=2)
    assert "broke the OpenAPI contract" not in result.stdout.str()


@pytest.mark.urls("tests.urls_contract")
def test_a_schema_that_cannot_be_generated_fails_the_test(pytester):
    pytester.makepyfile(
        test_broken="""
        from django.test import Client

        from api_errors.styles import StatusStyle


        def test_broken_schema(monkeypatch):
            def broken(style, error, context):
                raise ValueError("no examples today")

            monkeypatch.setattr(StatusStyle, "error_body", broken)
            Client().get("/api/things/1/")
        """
    )

    result = pytester.runpytest_inprocess(*IN_PROCESS, OPTION)

    result.assert_outcomes(failed=1)
    assert (
        "the OpenAPI schema of 'tests.urls_contract' could not be generated: "
        "ValueError('no examples today')"
    ) in result.stdout.str()


def test_contract_mode_needs_its_extra(pytester, monkeypatch):
    # As if neither were installed: find_spec answers None for a module set to None.
    monkeypatch.setitem(sys.modules, "drf_spectacular", None)
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    pytester.makepyfile(test_nothing="def test_nothing(): pass")

    result = pytester.runpytest_inprocess(*IN_PROCESS, OPTION)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (
        f"{OPTION} needs drf_spectacular, jsonschema: install api-errors[testing]"
        in result.stderr.str()
    )


def test_the_fixtures_override_api_errors_for_one_test(pytester):
    pytester.makepyfile(
        test_fixtures="""
        import pytest

        from api_errors.active import get_catalog, get_style
        from api_errors.conf import get_settings


        @pytest.fixture
        def drive(api_errors_settings):
            api_errors_settings(STYLE="success")


        def test_keys_merge_over_the_projects_and_each_other(api_errors_settings):
            project = get_settings().user
            assert api_errors_settings(STYLE="problem") == {**project, "STYLE": "problem"}
            merged = api_errors_settings(CORRELATION_ID_IN_BODY=True)
            assert merged == {**project, "STYLE": "problem", "CORRELATION_ID_IN_BODY": True}
            assert get_style().name == "problem"
            assert get_settings().CORRELATION_ID_IN_BODY is True


        def test_the_next_test_has_the_projects_settings(api_errors_catalog):
            assert get_style().name == "status"
            assert get_settings().CORRELATION_ID_IN_BODY is False
            assert api_errors_catalog is get_catalog()
            assert api_errors_catalog.name == "platform"


        def test_the_catalog_after_an_override(drive, api_errors_catalog):
            assert api_errors_catalog.name == "drive"
            assert api_errors_catalog.get("NOT_FOUND").http_status == 404
        """
    )

    result = pytester.runpytest_inprocess(*IN_PROCESS)

    result.assert_outcomes(passed=3)


def test_assert_api_error_in_a_test_that_passes_and_one_that_fails(pytester):
    pytester.makepyfile(
        test_assertions="""
        from django.test import Client

        from api_errors.catalog import Condition
        from api_errors.testing import assert_api_error


        def test_passes():
            assert_api_error(Client().get("/api/drf/raise/drf_not_found/"), Condition.NOT_FOUND)


        def test_fails():
            response = Client().get("/api/drf/raise/drf_not_found/")
            assert_api_error(response, Condition.VALIDATION_ERROR, field="name")
        """
    )

    result = pytester.runpytest_inprocess(*IN_PROCESS)

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: Not the expected API error:",
            "E*  - error_code is 68300007, not 68300004",
            "E*  - HTTP status is 404, expected 400",
            "E*  - no field error for 'name' under 'errors' (present: none)",
            "E*Expected an error envelope of the 'status' style, code 68300004 (condition "
            "'validation_error'), HTTP 400, a field error for 'name', a valid X-Correlation-ID "
            "header.",
            "E*Response: HTTP 404",
            "E*Body:",
            "E*{",
            'E*  "status": false,',
            'E*  "error_code": 68300007,',
            'E*  "error_message": "Bad request!"',
            "E*}",
        ]
    )


# --- projects of their own, in a subprocess -------------------------------------------


@pytest.fixture
def own_environment(monkeypatch):
    """No Django settings from this suite: each project names its own, or none."""
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)


DEMO_SETTINGS = """
SECRET_KEY = "demo"
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "demo_urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "api_errors",
]
MIDDLEWARE = ["api_errors.middleware.APIErrorsMiddleware"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
API_ERRORS = {"STYLE": "success"}
"""

DEMO_URLS = """
from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api_errors import ResourceNotFound


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField()


class ItemView(APIView):
    serializer_class = ItemSerializer

    def get(self, request, item_id):
        if item_id != 1:
            raise ResourceNotFound()
        return Response({"name": "lamp"})


class TeapotView(APIView):
    serializer_class = ItemSerializer

    def get(self, request):
        return Response({"name": "tea"}, status=418)


urlpatterns = [
    path("api/items/<int:item_id>/", ItemView.as_view()),
    path("api/teapot/", TeapotView.as_view()),
]
"""

DEMO_TESTS = """
import pytest

from api_errors.catalog import Condition
from api_errors.testing import assert_api_error


def test_found(client):
    assert client.get("/api/items/1/").json() == {"name": "lamp"}


def test_not_found(client):
    assert_api_error(client.get("/api/items/2/"), code=Condition.NOT_FOUND)


def test_wrong_expectation(client):
    assert_api_error(client.get("/api/items/2/"), code=Condition.VALIDATION_ERROR)


def test_teapot(client):
    client.get("/api/teapot/")


# The teapot is not in the schema on purpose.
@pytest.mark.api_errors_contract(False)
def test_teapot_opted_out(client):
    assert client.get("/api/teapot/").status_code == 418
"""


def test_a_django_project_of_its_own_in_contract_mode(pytester, own_environment):
    pytester.makepyfile(demo_settings=DEMO_SETTINGS, demo_urls=DEMO_URLS, test_demo=DEMO_TESTS)
    pytester.makeini(
        "[pytest]\nDJANGO_SETTINGS_MODULE = demo_settings\npythonpath = .\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers", OPTION)

    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_wrong_expectation _*",
            "*AssertionError: Not the expected API error:",
            "E*  - error_code is 'NOT_FOUND', not 'INVALID_ARGUMENT'",
            "E*  - HTTP status is 404, expected 400",
            "E*Body:",
            "E*{",
            'E*  "success": false,',
            'E*  "message": "Resource not found",',
            'E*  "error_code": "NOT_FOUND"',
            "E*}",
            "*_ test_teapot _*",
            "teapot_retrieve (GET /api/teapot/) answered what its OpenAPI schema does not "
            "document:",
            "  - HTTP 418 is not documented (documented: 200, 404, 405, 406, 500)",
        ]
    )


def test_the_plugin_loads_harmlessly_without_django_settings(pytester, own_environment):
    pytester.makepyfile(
        test_plain="""
        import pytest
        from django.conf import settings


        def test_plugin_loaded_and_django_untouched(request):
            assert request.config.pluginmanager.has_plugin("api_errors")
            assert not settings.configured


        @pytest.mark.api_errors_contract(False)
        def test_marker_is_registered():
            pass
        """
    )

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers", OPTION)

    result.assert_outcomes(passed=2)


FRESH_PROJECT_TEST = """
import pytest
from django.test import Client

from api_errors.testing import plugin


def test_the_entry_point_loaded_the_plugin(request, api_errors_catalog, api_errors_settings):
    assert request.config.pluginmanager.get_plugin("api_errors") is plugin
    assert api_errors_settings(STYLE="success")["STYLE"] == "success"
    assert api_errors_catalog.name == "platform"


def test_a_page_outside_the_schema_is_not_checked():
    assert Client().get("/admin/login/").status_code == 200
"""


@pytest.mark.slow
def test_the_entry_point_loads_in_a_fresh_startproject(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (tmp_path / "test_fresh.py").write_text(textwrap.dedent(FRESH_PROJECT_TEST))
    # The installed package only: nothing of this checkout on the path, no settings of ours.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COV_", "DJANGO_", "PYTEST_", "PYTHONPATH"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "mysite.settings"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers", OPTION],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    # pytest names the plugins that entry points loaded by their distribution.
    assert re.search(r"^plugins: .*api-errors-", result.stdout, re.M), result.stdout
