"""A deprecated code: marked on the page, in the export and the schema, logged once when sent."""

import json
import logging
import re
from dataclasses import replace
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import override_settings

from api_errors.catalog import CatalogEntry, Deprecation, Preset
from api_errors.catalog.presets import PLATFORM
from api_errors.documentation import describe_errors, render_html
from tests.test_openapi import generate, responses

# The platform document with 68300007 (Bad request!) on its way out for 68300004.
DEPRECATING_PLATFORM = Preset(
    name=PLATFORM.name,
    entries=tuple(
        replace(entry, deprecated=Deprecation("2.4", 68300004))
        if entry.code == 68300007
        else replace(entry, deprecated=Deprecation("2.5"))
        if entry.code == 68300006
        else entry
        for entry in PLATFORM.entries
    ),
    conditions=PLATFORM.conditions,
)
# A preset entry whose deprecation is not one (only a Preset written by hand can hold it).
MISWRITTEN = Preset(
    name=PLATFORM.name,
    entries=(
        *PLATFORM.entries,
        CatalogEntry(68300099, 400, "Old!", deprecated="2.4"),  # type: ignore[arg-type]
    ),
    conditions=PLATFORM.conditions,
)
DEPRECATING = {"CATALOG": "tests.test_deprecated_codes.DEPRECATING_PLATFORM"}


def export(*args):
    stdout = StringIO()
    call_command("api_errors_catalog", *args, stdout=stdout)
    return stdout.getvalue()


# --- the catalog, the page and the schema ---------------------------------------------


def test_catalog_view_and_json_export_carry_the_deprecation(client):
    with override_settings(API_ERRORS=DEPRECATING):
        entries = {e["code"]: e for e in client.get("/api/errors/").json()["errors"]}
        exported = json.loads(export("--format", "json"))
    assert entries[68300007]["deprecated"] == {"since": "2.4", "replacement": 68300004}
    assert entries[68300006]["deprecated"] == {"since": "2.5", "replacement": None}
    assert entries[68300004]["deprecated"] is None
    rows = {row["code"]: row for c in exported["categories"] for row in c["errors"]}
    assert rows[68300007]["deprecated"] == {"since": "2.4", "replacement": 68300004}
    assert rows[68300004]["deprecated"] is None


def test_markdown_marks_deprecated_rows_with_since_and_replacement():
    with override_settings(API_ERRORS=DEPRECATING):
        text = export("--format", "markdown")
    assert (
        "| 68300007 | 400 | Bad request! (deprecated since 2.4, replaced by `68300004`) "
        "| business | no |" in text
    )
    assert "| 68300006 | 403 | Analytic basic access error! (deprecated since 2.5) |" in text
    assert "| 68300004 | 400 | Invalid parameter! | business | no |" in text


@pytest.mark.urls("tests.urls_docs")
def test_the_page_links_a_deprecated_code_to_its_replacements_row(client):
    with override_settings(API_ERRORS=DEPRECATING):
        page = client.get("/api/docs/errors/").content.decode()
        exported = export("--format", "html")
        rendered = render_html(describe_errors())
    row = re.search(r'<tr id="error-68300007">.*?</tr>', page, re.S).group()
    assert (
        '<span class="flag flag-deprecated">deprecated since 2.4, replaced by '
        '<a href="#error-68300004">68300004</a></span>' in row
    )
    without_replacement = re.search(r'<tr id="error-68300006">.*?</tr>', page, re.S).group()
    assert "deprecated since 2.5</span>" in without_replacement
    assert "replaced by" not in without_replacement
    assert '<tr id="error-68300004">' in page
    assert "flag-deprecated" not in re.search(r'<tr id="error-68300004">.*?</tr>', page).group()
    # The status table strikes the code through where it lists it.
    assert '<a href="#error-68300007" class="deprecated">68300007</a>' in page
    assert exported == rendered
    assert 'replaced by <a href="#error-68300004">' in exported


def test_the_markdown_in_chinese_says_it_in_chinese():
    from tests.test_i18n import CJK, chinese

    with override_settings(API_ERRORS=DEPRECATING):
        text = export("--format", "markdown", "--language", "zh-hans")
    note = chinese("deprecated since %(since)s, replaced by %(code)s")
    assert CJK.search(note)
    assert f"({note % {'since': '2.4', 'code': '`68300004`'}})" in text


def test_the_schema_says_which_codes_are_deprecated():
    schema = generate(**DEPRECATING)
    open_view = responses(schema, "/api/open/")
    code = next(iter(open_view["405"]["content"].values()))["schema"]["properties"]["error_code"]
    assert code["enum"] == [68300007]
    assert code["description"] == "68300007: deprecated since 2.4, replaced by 68300004."
    server_error = next(iter(open_view["500"]["content"].values()))["schema"]
    assert "description" not in server_error["properties"]["error_code"]


def test_the_schema_without_deprecations_has_no_such_description():
    open_view = responses(generate(), "/api/open/")
    code = next(iter(open_view["405"]["content"].values()))["schema"]["properties"]["error_code"]
    assert "description" not in code


# --- the warning, once per process and code -----------------------------------------


def deprecated_entry(code, http_status, replacement=None):
    return {
        "code": code,
        "http_status": http_status,
        "message": "Old!",
        "deprecated": {"since": "2.4", "replacement": replacement},
    }


def deprecation_records(caplog, code):
    return [
        record
        for record in caplog.records
        if record.name == "api_errors" and getattr(record, "deprecated_since", None)
        if record.error_code == code
    ]


# Each entry point answering a condition mapped to a deprecated code of its own, since the
# warning is given once per process and code.
ENTRY_POINTS = [
    pytest.param("/api/drf/raise/conflict/", "conflict", 68300091, 409, id="drf-handler"),
    pytest.param(
        "/api/plain/raise/state_not_ready/", "state_not_ready", 68300092, 409, id="middleware"
    ),
    pytest.param("/api/no/such/path/", "not_found", 68300093, 404, id="django-error-view"),
    pytest.param(
        "/api/plain/html-status/503/", "service_unavailable", 68300094, 503, id="error-status"
    ),
]


@pytest.mark.parametrize(("path", "condition", "code", "status"), ENTRY_POINTS)
def test_answering_with_a_deprecated_code_warns_once(client, caplog, path, condition, code, status):
    caplog.set_level(logging.DEBUG, logger="api_errors")
    api_errors = {
        "ERRORS": [deprecated_entry(code, status, replacement=68300004)],
        "CONDITIONS": {condition: code},
    }
    with override_settings(API_ERRORS=api_errors):
        first = client.get(path, headers={"X-Correlation-ID": "first-call"})
        second = client.get(path)

    assert first.status_code == second.status_code == status
    assert first.json()["error_code"] == second.json()["error_code"] == code
    [record] = deprecation_records(caplog, code)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f"GET {path} answered with error code {code}, deprecated since 2.4, replaced by 68300004 "
        "(logged once per process) correlation_id=first-call"
    )
    assert (record.deprecated_since, record.replacement) == ("2.4", 68300004)
    # The error itself is logged for each response, as any other.
    answers = [r for r in caplog.records if f"error_code={code} " in r.getMessage()]
    assert len(answers) == 2


def test_the_example_view_warns_about_a_deprecated_code_it_is_asked_for(client, caplog):
    caplog.set_level(logging.WARNING, logger="api_errors")
    with override_settings(API_ERRORS={"ERRORS": [deprecated_entry(68300095, 410)]}):
        response = client.get("/api/examples/errors/68300095/")
        client.get("/api/examples/errors/68300095/")
    assert response.status_code == 410
    [record] = deprecation_records(caplog, 68300095)
    assert "error code 68300095, deprecated since 2.4 (logged once per process)" in (
        record.getMessage()
    )


def test_codes_that_are_not_deprecated_log_no_such_warning(client, caplog):
    caplog.set_level(logging.DEBUG, logger="api_errors")
    client.get("/api/drf/raise/conflict/")
    assert [r for r in caplog.records if getattr(r, "deprecated_since", None)] == []


# --- checks -----------------------------------------------------------------------------


def test_a_preset_entry_whose_deprecation_is_not_one_is_reported():
    with override_settings(API_ERRORS={"CATALOG": "tests.test_deprecated_codes.MISWRITTEN"}):
        messages = [m for m in run_checks() if (m.id or "").startswith("api_errors.")]
    assert [(m.id, m.msg) for m in messages] == [
        ("api_errors.E028", "Error code 68300099's deprecation is '2.4', not a Deprecation.")
    ]


def test_a_well_formed_deprecation_passes_the_checks():
    with override_settings(API_ERRORS=DEPRECATING):
        assert [m for m in run_checks() if (m.id or "").startswith("api_errors.")] == []


def test_settings_may_give_a_deprecation_object():
    entry = {**deprecated_entry(68300096, 410), "deprecated": Deprecation("2.4", 68300004)}
    with override_settings(API_ERRORS={"ERRORS": [entry]}):
        assert [m for m in run_checks() if (m.id or "").startswith("api_errors.")] == []
        rows = {
            row["code"]: row
            for row in json.loads(export("--format", "json"))["categories"][0]["errors"]
        }
    assert rows[68300096]["deprecated"] == {"since": "2.4", "replacement": 68300004}
