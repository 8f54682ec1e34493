"""The README's reference tables are checked against the code, so they cannot drift."""

import ast
import re
import sys
import types
from pathlib import Path

import pytest

from api_errors.catalog import Condition
from api_errors.catalog.loader import load_preset
from api_errors.checks.base import PREFIX, PROBLEMS
from api_errors.conf import DEFAULTS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def table(marker):
    """Rows of the table between ``<!-- marker -->`` and ``<!-- /marker -->``, header dropped."""
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", README, re.S)
    assert match, f"README has no {marker} table"
    lines = [line for line in match.group(1).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def readme_module(monkeypatch, after, name):
    """The README's first Python block after ``after``, run as the module ``name``, so a
    setting can name what it defines by dotted path."""
    section = README.split(after, 1)[1]
    source = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    module = types.ModuleType(name)
    exec(compile(source, "README.md", "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def unquote(cell):
    return cell.strip("`")


@pytest.mark.parametrize("preset_name", ["platform", "drive"])
def test_catalog_tables_match_presets(preset_name):
    preset = load_preset(preset_name)
    expected = [
        [
            str(entry.code),
            str(entry.http_status),
            str(entry.message),
            entry.category,
            "yes" if entry.retryable else "no",
        ]
        for entry in preset.entries
    ]
    assert table(f"catalog-{preset_name}") == expected


def test_conditions_table_matches_presets():
    platform, drive = load_preset("platform"), load_preset("drive")

    def cell(preset, condition):
        rule = preset.conditions[condition]
        entry = next(e for e in preset.entries if e.code == rule.code)
        return f"{rule.code} ({rule.http_status or entry.http_status})"

    rows = table("conditions-table")
    assert [unquote(row[0]) for row in rows] == list(Condition.ALL)
    for row in rows:
        condition = unquote(row[0])
        assert row[2] == cell(platform, condition), condition
        assert row[3] == cell(drive, condition), condition


def test_settings_table_lists_every_key_with_its_default():
    rows = table("settings-table")
    assert [unquote(row[0]) for row in rows] == list(DEFAULTS)
    for row in rows:
        assert ast.literal_eval(unquote(row[1])) == DEFAULTS[unquote(row[0])], row[0]


def test_checks_table_is_the_table_of_ids():
    rows = table("checks-table")
    assert [(unquote(row[0]), row[1]) for row in rows] == [
        (PREFIX + check_id, problem) for check_id, problem in PROBLEMS.items()
    ]


@pytest.mark.parametrize("preset_name", ["platform", "drive"])
def test_catalog_tables_are_the_generated_markdown(preset_name):
    """``manage.py api_errors_catalog --format markdown`` prints these very tables."""
    from api_errors.documentation import catalog_markdown_table

    marker = f"catalog-{preset_name}"
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", README, re.S)
    assert match, f"README has no {marker} table"
    assert match.group(1).strip() == catalog_markdown_table(load_preset(preset_name))


def test_your_own_style_snippet_works_as_pasted(client, monkeypatch):
    """The README's GoogleStyle, run as written, answers errors, documents them and
    renders the page."""
    from django.test import override_settings

    from api_errors.documentation import describe_errors, render_html

    readme_module(monkeypatch, "### Your own style", "readme_style")

    with override_settings(API_ERRORS={"STYLE": "readme_style.GoogleStyle"}):
        response = client.get("/api/drf/raise/drf_not_found/")
        page = render_html(describe_errors())
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": 404,
            "status": "NOT_FOUND",
            "message": "Resource not found",
            "details": [],
        }
    }
    assert "<code>error.status</code>" in page


def test_changing_a_preset_entrys_message_works_as_shown(client, monkeypatch):
    from django.test import override_settings

    readme_module(monkeypatch, "To change a preset entry's message", "readme_errors")

    with override_settings(API_ERRORS={"CATALOG": "readme_errors.PRESET"}):
        response = client.get("/api/examples/errors/67200007/")
        other = client.get("/api/examples/errors/68300004/")
    assert response.status_code == 429
    assert response.json()["error_message"] == "Too many calls, slow down."
    assert other.json()["error_message"] == "Invalid parameter!"


def test_exact_codes_snippet_is_the_tested_class():
    from tests.views import AnalyticAccessError

    snippet = re.search(r"class AnalyticAccessError\(AccessDenied\):\n    codes = (.*)\n", README)
    assert ast.literal_eval(snippet.group(1)) == AnalyticAccessError.codes
