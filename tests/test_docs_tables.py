"""The documentation's reference tables are checked against the code, so they cannot drift."""

import ast

import pytest

from api_errors.catalog import Condition
from api_errors.catalog.loader import load_preset
from api_errors.checks.base import PREFIX, PROBLEMS
from api_errors.conf import DEFAULTS
from tests.doc_pages import marked_table, marked_text

CATALOG = "docs/catalog.md"


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
    assert marked_table(CATALOG, f"catalog-{preset_name}") == expected


def test_conditions_table_matches_presets():
    platform, drive = load_preset("platform"), load_preset("drive")

    def cell(preset, condition):
        rule = preset.conditions[condition]
        entry = next(e for e in preset.entries if e.code == rule.code)
        return f"{rule.code} ({rule.http_status or entry.http_status})"

    rows = marked_table("docs/conditions.md", "conditions-table")
    assert [unquote(row[0]) for row in rows] == list(Condition.ALL)
    for row in rows:
        condition = unquote(row[0])
        assert row[2] == cell(platform, condition), condition
        assert row[3] == cell(drive, condition), condition


def test_settings_table_lists_every_key_with_its_default():
    rows = marked_table("docs/settings.md", "settings-table")
    assert [unquote(row[0]) for row in rows] == list(DEFAULTS)
    for row in rows:
        assert ast.literal_eval(unquote(row[1])) == DEFAULTS[unquote(row[0])], row[0]


def test_checks_table_is_the_table_of_ids():
    rows = marked_table("docs/checks.md", "checks-table")
    assert [(unquote(row[0]), row[1]) for row in rows] == [
        (PREFIX + check_id, problem) for check_id, problem in PROBLEMS.items()
    ]


@pytest.mark.parametrize("preset_name", ["platform", "drive"])
def test_catalog_tables_are_the_generated_markdown(preset_name):
    """``manage.py api_errors_catalog --format markdown`` prints these very tables."""
    from api_errors.documentation import catalog_markdown_table

    marked = marked_text(CATALOG, f"catalog-{preset_name}")
    assert marked.strip() == catalog_markdown_table(load_preset(preset_name))
