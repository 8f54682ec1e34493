"""docs/async-and-clocks.md is checked against the code: its checks table, its snippets,
the keys and the numbers it quotes."""

from __future__ import annotations

import re
import types

from asgiref.sync import iscoroutinefunction
from django_ratelimit import ALL

from api_errors.checks.base import PREFIX, PROBLEMS
from api_errors.limits.async_store import POOL_MAX_CONNECTIONS, SAFE_REDIS
from api_errors.limits.counters import CLOCKS, store_month_slot, store_window_slot
from tests.doc_pages import PYTHON_BLOCK, read

PAGE = read("docs/async-and-clocks.md")


def test_the_checks_table_is_the_table_of_ids():
    section = PAGE.split("## Checks", 1)[1]
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", section, re.M)
    assert rows == [(PREFIX + i, PROBLEMS[i]) for i in ("E047", "W008")]


def test_the_async_view_snippet_declares_its_limits_on_a_coroutine():
    view_block, settings_block = PYTHON_BLOCK.findall(PAGE)
    module = types.ModuleType("docs_async_view")
    exec(compile(view_block, "docs/async-and-clocks.md", "exec"), module.__dict__)

    assert iscoroutinefunction(module.search)
    assert [(p.group, p.key) for p in module.search.api_errors_limits] == [
        ("search-monthly", "header:x-api-key"),
        ("search", "header:x-api-key"),
    ]

    namespace = {}
    exec(settings_block, namespace)
    assert namespace["API_ERRORS"]["LIMITS_CLOCK"] in CLOCKS


def test_the_keys_and_numbers_are_the_codes():
    fixed = store_window_slot("search", 60, "client", ALL).cache_key
    month = store_month_slot("search", "client", 0.0).cache_key
    assert re.fullmatch(r"rl:fixed:\{[0-9a-f]{64}\}", fixed)
    assert re.fullmatch(r"rl:month:\{[0-9a-f]{64}\}", month)
    assert "`rl:fixed:{<digest>}` or `rl:month:{<digest>}`" in PAGE
    assert f"at most {POOL_MAX_CONNECTIONS} connections" in PAGE
    assert f"redis-py before {'.'.join(map(str, SAFE_REDIS))}" in PAGE
