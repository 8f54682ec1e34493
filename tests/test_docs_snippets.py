"""The documentation's Python examples, run as written, do what the pages say."""

import ast
import re
import sys
import types

from django.test import override_settings

from tests.doc_pages import python_block_after


def page_module(monkeypatch, document, heading, name):
    """The first Python block after ``heading``, run as the module ``name``, so a setting
    can name what it defines by dotted path."""
    module = types.ModuleType(name)
    exec(compile(python_block_after(document, heading), document, "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, name, module)
    return module


def test_your_own_style_snippet_works_as_pasted(client, monkeypatch):
    """The GoogleStyle of the Styles page answers errors, documents them and renders
    the page."""
    from api_errors.documentation import describe_errors, render_html

    page_module(monkeypatch, "docs/styles.md", "## Your own style", "docs_style")

    with override_settings(API_ERRORS={"STYLE": "docs_style.GoogleStyle"}):
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
    page_module(monkeypatch, "docs/catalog.md", "### A preset of your own", "docs_errors")

    with override_settings(API_ERRORS={"CATALOG": "docs_errors.PRESET"}):
        response = client.get("/api/examples/errors/67200007/")
        other = client.get("/api/examples/errors/68300004/")
    assert response.status_code == 429
    assert response.json()["error_message"] == "Too many calls, slow down."
    assert other.json()["error_message"] == "Invalid parameter!"


def test_exact_codes_snippet_is_the_tested_class():
    from tests.views import AnalyticAccessError

    block = python_block_after("docs/quickstart.md", "## Exact codes")
    snippet = re.search(r"class AnalyticAccessError\(AccessDenied\):\n    codes = (.*)\n", block)
    assert snippet, block
    assert ast.literal_eval(snippet.group(1)) == AnalyticAccessError.codes
