"""The example commits the lock of every catalog its styles use, and its catalog matches it."""

from __future__ import annotations

import json

import pytest

from tests.example.support import REPO_ROOT, STYLES, example_env, manage

LOCK_FILE = REPO_ROOT / "example_project" / "api_errors.lock.json"
CATALOG_OF_STYLE = {"status": "platform", "success": "drive", "problem": "drive"}


def test_the_lock_covers_the_catalogs_of_every_style():
    catalogs = json.loads(LOCK_FILE.read_text(encoding="utf-8"))["catalogs"]
    assert sorted(catalogs) == sorted(set(CATALOG_OF_STYLE.values()))
    assert catalogs["platform"]["conditions"]["rate_limited"]["code"] == 67200007
    assert catalogs["drive"]["conditions"]["rate_limited"]["code"] == "QUOTA_EXCEEDED"


@pytest.mark.parametrize("style", STYLES)
def test_the_examples_catalog_matches_its_lock(style, tmp_path):
    """A change to the example's catalog fails here (and in manage.py check) until
    ``manage.py api_errors_catalog --lock`` records it."""
    result = manage("api_errors_catalog", "--check", env=example_env(style, tmp_path / "db"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        f"Catalog {CATALOG_OF_STYLE[style]!r} matches its lock in {LOCK_FILE}.\n"
    )
