"""The generated "Error Handling" page and its exports agree with what the server sends."""

import html
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import include, path, reverse

from api_errors.catalog import BUSINESS, PLATFORM, CatalogEntry, Condition, ConditionRule, Preset
from api_errors.conf import APIErrorsSettings
from api_errors.documentation import (
    EXAMPLE_CORRELATION_ID,
    anchor_for,
    catalog_markdown_table,
    describe_errors,
    example_path_for,
    render_html,
    status_text,
)
from api_errors.templatetags.api_errors_docs import inline_code, json_highlight

PAGE = "/api/docs/errors/"
STYLES = ["status", "success", "problem"]
PRESET_FOR_STYLE = {"status": "platform", "success": "drive", "problem": "drive"}

# A URLconf without api_errors.urls, for the example path's fallback.
urlpatterns = [path("docs/", include("api_errors.docs_urls"))]

# Dotted-path targets for CATALOG.
SMALL = Preset(
    "small",
    entries=(
        CatalogEntry("BAD", 400, "Bad input", BUSINESS),
        CatalogEntry("TEAPOT", 418, "Short and stout", "kitchen_sink"),
        CatalogEntry("BROKEN", 599, "Broken", PLATFORM, retryable=True),
    ),
    conditions={
        Condition.VALIDATION_ERROR: ConditionRule("BAD"),
        Condition.SERVER_ERROR: ConditionRule("BROKEN"),
    },
)
NOTHING_TO_RETRY = Preset(
    "nothing-to-retry",
    entries=(CatalogEntry("BAD", 400, "Bad input"),),
    conditions={Condition.SERVER_ERROR: ConditionRule("BAD")},
)
ONLY_RATE_LIMITS = Preset(
    "only-rate-limits",
    entries=(CatalogEntry("BAD", 400, "Bad input"), CatalogEntry("SLOW", 429, "Slow down")),
    conditions={Condition.SERVER_ERROR: ConditionRule("BAD")},
)


def conf_for(**api_errors):
    return APIErrorsSettings(api_errors)


def page_text(client, **headers):
    response = client.get(PAGE, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def example_body(page):
    """The JSON of the page's example, with the highlighting markup taken out."""
    match = re.search(r'<pre id="example-body"><code>(.*?)</code></pre>', page, re.S)
    assert match, "the page has no example body"
    return json.loads(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))))


def section_ids(page):
    return re.findall(r'<section id="([^"]+)">', page)


# --- The page, served -------------------------------------------------------------------


@pytest.mark.urls("tests.urls_docs")
@pytest.mark.parametrize("style", STYLES)
def test_page_has_the_sections_of_the_reference_documents(client, style):
    with override_settings(API_ERRORS={"STYLE": style}):
        page = page_text(client)
    assert "<title>Error Handling</title>" in page
    assert "<h1>Error Handling</h1>" in page
    assert "Understanding error codes, HTTP status codes, and how to handle API errors" in page
    # The platform document opens with the response format, the drive document with statuses.
    first = ["error-response-format", "http-status-codes"]
    if style != "status":
        first.reverse()
    assert section_ids(page) == [
        *first,
        "business-error-codes",
        "platform-error-codes",
        "best-practices",
        "need-help",
    ]
    for heading in (
        "Error Response Format",
        "HTTP Status Codes",
        "Business Error Codes",
        "Platform Error Codes",
        "Error Handling Best Practices",
        "Need Help?",
    ):
        assert f"<h2>{heading}</h2>" in page
    # Self-contained: no external stylesheet, script, image or font.
    assert "<style>" in page
    assert not re.search(r"<(link|script|img)\b", page)
    assert "url(" not in page


@pytest.mark.urls("tests.urls_docs")
@pytest.mark.parametrize("style", STYLES)
def test_every_code_of_the_active_catalog_has_its_anchor(client, style):
    with override_settings(API_ERRORS={"STYLE": style}):
        page = page_text(client)
        doc = describe_errors()
    codes = [row.code for row in doc.errors]
    assert codes == [entry.code for entry in _preset(PRESET_FOR_STYLE[style]).entries]
    for row in doc.errors:
        assert f'<tr id="{row.anchor}">' in page
        assert f'<a href="#{row.anchor}">{row.code}</a>' in page
        assert html.escape(row.message, quote=False) in page
    assert len(re.findall(r'<tr id="error-', page)) == len(codes)


@pytest.mark.urls("tests.urls_docs")
@pytest.mark.parametrize("style", STYLES)
def test_example_is_exactly_what_the_server_sends(client, style):
    with override_settings(API_ERRORS={"STYLE": style}):
        page = page_text(client)
        example = describe_errors().example
        response = client.get(f"/api/examples/errors/{example.code}/")
    assert response.status_code == example.http_status == 400
    assert response["Content-Type"] == example.content_type
    assert response.json() == example.body == example_body(page)
    assert f"{example.http_status} Bad Request" in page


@pytest.mark.urls("tests.urls_docs")
@pytest.mark.parametrize("style", STYLES)
def test_example_shows_the_correlation_id_in_the_body_when_configured(client, style):
    settings = {"STYLE": style, "CORRELATION_ID_IN_BODY": True}
    with override_settings(API_ERRORS=settings):
        example = describe_errors().example
        response = client.get(
            f"/api/examples/errors/{example.code}/",
            headers={"X-Correlation-ID": EXAMPLE_CORRELATION_ID},
        )
        page = page_text(client)
    assert example.body["correlation_id"] == EXAMPLE_CORRELATION_ID
    assert response.json() == example.body == example_body(page)
    assert "<code>correlation_id</code>" in page


@pytest.mark.urls("tests.urls_docs")
def test_problem_type_uris_point_at_the_anchors_of_the_page(client):
    settings = {
        "STYLE": "problem",
        "PROBLEM_TYPE_URI": "http://testserver/api/docs/errors/#error-{code}",
    }
    with override_settings(API_ERRORS=settings):
        page = page_text(client)
        doc = describe_errors()
        for row in doc.errors:
            body = client.get(f"/api/examples/errors/{row.code}/").json()
            page_url, _, fragment = body["type"].partition("#")
            assert page_url == f"http://testserver{PAGE}"
            assert fragment == row.anchor
            assert f'id="{fragment}"' in page
    assert "http://testserver/api/docs/errors/#error-{code}" in page


@pytest.mark.urls("tests.urls_docs")
def test_status_table_lists_success_then_every_error_status(client):
    doc = describe_errors()
    statuses = [row.status for row in doc.statuses]
    assert statuses[:2] == [200, 201]
    assert statuses[2:] == sorted(statuses[2:])
    assert {row.http_status for row in doc.errors} <= set(statuses)
    # Statuses a condition answers with, beyond the codes' own: 404 and 500 in the status style.
    assert {404, 405, 409, 429, 500, 503} <= set(statuses)
    by_status = {row.status: row for row in doc.statuses}
    assert [error.code for error in by_status[404].errors] == [68300007]
    assert [error.code for error in by_status[403].errors] == [
        68300006,
        67200001,
        67200002,
        67200004,
    ]
    assert by_status[429].meaning == "Too Many Requests"
    assert by_status[200].errors == ()
    page = page_text(client)
    for row in doc.statuses:
        assert f'<tr id="status-{row.status}">' in page


@pytest.mark.urls("tests.urls_docs")
def test_retry_guidance_follows_the_flags_and_retry_after(client):
    doc = describe_errors()
    assert [row.code for row in doc.retry.errors] == [68300005, 68300008, 67200007]
    assert doc.retry.retry_after_statuses == (429, 503)
    advice = " ".join(doc.retry.advice)
    assert "`68300005`, `68300008`, `67200007`" in advice
    assert "429 or 503" in advice
    assert "`Retry-After`" in advice
    assert "Don't retry other 4xx errors" in advice
    # The server keeps the promise: 429 and 503 answers carry Retry-After.
    for row in doc.errors:
        if row.http_status in doc.retry.retry_after_statuses:
            response = client.get(f"/api/examples/errors/{row.code}/")
            assert response.status_code == row.http_status
            assert int(response["Retry-After"]) >= 1
    page = page_text(client)
    assert "const RETRYABLE_CODES = new Set([68300005, 68300008, 67200007]);" in page
    assert "const RETRY_AFTER_STATUSES = new Set([429, 503]);" in page


def test_retry_guidance_without_retryable_codes_or_rate_limits():
    quiet = describe_errors(
        conf_for(STYLE="success", CATALOG="tests.test_documentation.NOTHING_TO_RETRY")
    )
    assert quiet.retry.errors == ()
    assert quiet.retry.retry_after_statuses == ()
    assert not any(line.startswith("Retry only") for line in quiet.retry.advice)
    limits = describe_errors(
        conf_for(STYLE="success", CATALOG="tests.test_documentation.ONLY_RATE_LIMITS")
    )
    assert limits.retry.advice[0] == "Retry only 429 responses."
    small = describe_errors(conf_for(STYLE="success", CATALOG="tests.test_documentation.SMALL"))
    assert small.retry.advice[0] == (
        "Retry only transient errors: the codes marked retryable (`BROKEN`)."
    )


@pytest.mark.urls("tests.urls_docs")
@pytest.mark.parametrize("header", ["X-Correlation-ID", "X-Request-ID"])
def test_need_help_quotes_the_correlation_header(client, header):
    with override_settings(API_ERRORS={"CORRELATION_ID_HEADER": header}):
        page = page_text(client)
        doc = describe_errors()
    assert doc.correlation_header == header
    help_section = page.split('<section id="need-help">')[1]
    assert f"the <code>{header}</code> from the response headers" in help_section
    assert f"{header}: {EXAMPLE_CORRELATION_ID}" in page
    assert html.escape(f'response.headers.get("{header}")') in page


def test_need_help_without_trusted_incoming_ids():
    assert len(describe_errors(conf_for(TRUST_CORRELATION_ID=False)).help_text) == 1
    assert len(describe_errors(conf_for()).help_text) == 2


@pytest.mark.parametrize(
    ("style", "names"),
    [
        ("status", ["status", "error_code", "error_message", "errors"]),
        ("success", ["success", "message", "error_code", "errors"]),
        (
            "problem",
            [
                "type",
                "title",
                "status",
                "detail",
                "instance",
                "code",
                "violated-policies",
                "errors",
            ],
        ),
    ],
)
def test_fields_table_describes_every_key_of_the_example(style, names):
    doc = describe_errors(conf_for(STYLE=style))
    assert [field.name for field in doc.fields] == names
    assert set(doc.example.body) <= set(names)


def test_problem_fields_follow_the_type_uri_setting():
    plain = {f.name: f.description for f in describe_errors(conf_for(STYLE="problem")).fields}
    assert "about:blank" in plain["type"]
    assert plain["title"] == "The HTTP status phrase."
    uri = "https://example.com/errors#{code}"
    typed = describe_errors(conf_for(STYLE="problem", PROBLEM_TYPE_URI=uri))
    fields = {f.name: f.description for f in typed.fields}
    assert uri in fields["type"]
    assert fields["title"] == "The error's catalog message."
    assert typed.example.body["type"] == "https://example.com/errors#INVALID_ARGUMENT"


@pytest.mark.urls("tests.urls_docs")
def test_custom_categories_and_codes_get_sections_and_safe_anchors(client):
    settings = {
        "STYLE": "success",
        "ERRORS": [
            {
                "code": "BILLING/LOCKED",
                "http_status": 423,
                "message": "Account <b>locked</b>",
                "category": "billing_admin",
            },
        ],
    }
    with override_settings(API_ERRORS=settings):
        page = page_text(client)
        doc = describe_errors()
    billing = doc.categories[-1]
    assert billing.name == "billing_admin"
    assert billing.title == "Billing Admin Error Codes"
    assert billing.anchor == "billing-admin-error-codes"
    assert billing.description == ""
    assert anchor_for("BILLING/LOCKED") == "error-BILLING-LOCKED"
    assert '<tr id="error-BILLING-LOCKED">' in page
    assert '<section id="billing-admin-error-codes">' in page
    # Messages are escaped, never markup.
    assert "Account &lt;b&gt;locked&lt;/b&gt;" in page
    assert "<b>locked</b>" not in page
    assert next(row for row in doc.statuses if row.status == 423).meaning == "Locked"


def test_statuses_without_notes_fall_back_to_the_http_phrase():
    doc = describe_errors(conf_for(STYLE="success", CATALOG="tests.test_documentation.SMALL"))
    by_status = {row.status: row for row in doc.statuses}
    assert by_status[418].meaning == "I'm a Teapot"
    assert by_status[418].causes == ""
    assert by_status[599].meaning == ""
    assert status_text(599) == "599"
    assert [c.name for c in doc.categories] == [BUSINESS, "kitchen_sink", PLATFORM]
    assert doc.categories[1].title == "Kitchen Sink Error Codes"


@pytest.mark.urls("tests.test_documentation")
def test_example_path_without_api_errors_urls():
    conf = conf_for(STYLE="problem")
    assert example_path_for("INVALID_ARGUMENT", conf) == "/api/examples/errors/INVALID_ARGUMENT/"
    assert (
        describe_errors(conf).example.body["instance"] == "/api/examples/errors/INVALID_ARGUMENT/"
    )
    assert example_path_for(1, conf_for(API_PREFIXES=["/v1/"])) == "/v1/examples/errors/1/"
    assert example_path_for(1, conf_for(API_PREFIXES=[])) == "/api/examples/errors/1/"
    assert reverse("api_errors_docs:error-handling") == "/docs/errors/"


@pytest.mark.urls("tests.urls_docs")
def test_page_url_name_and_methods(client):
    assert reverse("api_errors_docs:error-handling") == PAGE
    assert client.head(PAGE).status_code == 200
    response = client.post(PAGE)
    assert response.status_code == 405
    assert response.json()["error_code"] == 68300007


@pytest.mark.urls("tests.urls_docs")
def test_project_templates_are_used_when_they_find_the_page(client, tmp_path):
    app_dirs = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
    with override_settings(TEMPLATES=app_dirs):
        assert section_ids(page_text(client))[-1] == "need-help"
    override = tmp_path / "api_errors" / "error_handling.html"
    override.parent.mkdir()
    override.write_text("Our own page: {{ doc.title }} ({{ doc.errors|length }} codes)")
    project = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=project):
        assert page_text(client) == "Our own page: Error Handling (13 codes)"


def test_filters_escape_before_marking_up():
    assert inline_code("use `<x>` & `y`") == "use <code>&lt;x&gt;</code> &amp; <code>y</code>"
    highlighted = json_highlight('{"a": "<b>", "n": -1.5e3, "t": true, "z": null}')
    assert '<span class="j-key">&quot;a&quot;</span>' in highlighted
    assert '<span class="j-string">&quot;&lt;b&gt;&quot;</span>' in highlighted
    assert '<span class="j-number">-1.5e3</span>' in highlighted
    assert '<span class="j-literal">true</span>' in highlighted
    assert '<span class="j-literal">null</span>' in highlighted


# --- Exports ------------------------------------------------------------------------------


def run_command(*args):
    out = StringIO()
    call_command("api_errors_catalog", *args, stdout=out)
    return out.getvalue()


def _preset(name):
    from api_errors.catalog.loader import load_preset

    return load_preset(name)


def test_markdown_export_has_a_table_per_category_and_the_full_table():
    text = run_command()
    assert text == run_command("--format", "markdown")
    assert text.startswith("# Error Handling\n")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == [
        "Error Response Format",
        "HTTP Status Codes",
        "Business Error Codes",
        "Platform Error Codes",
        "All Error Codes",
        "Error Handling Best Practices",
        "Need Help?",
    ]
    full = catalog_markdown_table(_preset("platform"))
    assert full in text
    business = text.split("## Business Error Codes")[1].split("## Platform")[0]
    assert "| 68300004 | 400 | Invalid parameter! | business | no |" in business
    assert "| 67200001 |" not in business
    assert "```json\n" + describe_errors().example.body_json + "\n```" in text
    assert "X-Correlation-ID" in text.split("## Need Help?")[1]


def test_markdown_export_of_another_style_and_catalog():
    text = run_command("--style", "success")
    assert catalog_markdown_table(_preset("drive")) in text
    assert text.index("## HTTP Status Codes") < text.index("## Error Response Format")
    assert "### Error Logging" in text
    assert run_command("--style", "success", "--catalog", "platform").count("| 68300004 |") == 2


def test_json_export():
    data = json.loads(run_command("--format", "json", "--style", "success"))
    assert set(data) >= {"style", "correlation_header", "statuses", "categories", "example"}
    assert data["style"] == "success"
    assert data["catalog"] == "drive"
    assert data["correlation_header"] == "X-Correlation-ID"
    assert [c["name"] for c in data["categories"]] == [BUSINESS, PLATFORM]
    errors = [error for category in data["categories"] for error in category["errors"]]
    entries = _preset("drive").entries
    assert [error["code"] for error in errors] == [
        *(e.code for e in entries if e.category == BUSINESS),
        *(e.code for e in entries if e.category == PLATFORM),
    ]
    assert errors[0] == {
        "code": "NOT_FOUND",
        "http_status": 404,
        "message": "Resource not found",
        "category": BUSINESS,
        "retryable": False,
        "deprecated": None,
        "anchor": "error-NOT_FOUND",
    }
    assert data["statuses"][0] == {
        "status": 200,
        "meaning": "OK",
        "causes": "Request succeeded. The response body contains the requested data.",
        "codes": [],
    }
    assert data["example"]["body"] == {
        "success": False,
        "message": "Invalid input: parameter validation, type mismatch, or malformed body",
        "error_code": "INVALID_ARGUMENT",
        "errors": [
            {
                "field": "items.1.unit_price",
                "code": "invalid",
                "message": "A valid number is required.",
            }
        ],
    }
    assert data["example"]["headers"]["Content-Type"] == "application/json"
    assert data["retry"]["codes"] == ["STATE_NOT_READY", "INTERNAL_ERROR"]
    status_codes = json.loads(run_command("--format", "json"))
    assert status_codes["example"]["body"]["error_code"] == 68300004


def test_html_export_is_the_page():
    text = run_command("--format", "html")
    assert text.startswith("<!DOCTYPE html>")
    assert text == render_html(describe_errors())
    for entry in _preset("platform").entries:
        assert f'<tr id="{anchor_for(entry.code)}">' in text


def test_problem_export_uses_problem_json():
    data = json.loads(run_command("--format", "json", "--style", "problem"))
    assert data["example"]["content_type"] == "application/problem+json"
    assert data["example"]["body"]["code"] == "INVALID_ARGUMENT"
    assert data["example"]["body"]["status"] == 400


def test_export_rejects_an_unknown_catalog():
    with pytest.raises(CommandError, match="Cannot load catalog"):
        run_command("--catalog", "no.such.PRESET")
    with pytest.raises(CommandError):
        run_command("--format", "pdf")


def test_markdown_cells_escape_pipes():
    table = catalog_markdown_table([CatalogEntry("X", 400, "a|b\nc", retryable=True)])
    assert table.splitlines()[-1] == "| X | 400 | a\\|b c | business | yes |"
