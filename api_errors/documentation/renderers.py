"""The description printed as Markdown, JSON or HTML."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.template import Context, TemplateDoesNotExist, loader
from django.utils.translation import gettext as _

from api_errors.catalog.types import Catalog, CatalogEntry, Preset
from api_errors.documentation.describe import error_row
from api_errors.documentation.model import (
    CATALOG_TABLE_HEADER,
    FORMAT,
    HELP,
    LIMITS,
    PRACTICES,
    STATUSES,
    TEMPLATE_NAME,
    ErrorDocumentation,
    ErrorRow,
    RateLimits,
)
from api_errors.documentation.templates import private_engine


def _entries(source: Preset | Catalog | Iterable[CatalogEntry]) -> list[CatalogEntry]:
    if isinstance(source, Preset | Catalog):
        return list(source.entries)
    return list(source)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def deprecation_note(deprecated: Mapping[str, Any]) -> str:
    """What the Markdown says of a deprecated code, in the active language."""
    since, replacement = deprecated["since"], deprecated["replacement"]
    if replacement is None:
        return _("deprecated since %(since)s") % {"since": since}
    return _("deprecated since %(since)s, replaced by %(code)s") % {
        "since": since,
        "code": f"`{replacement}`",
    }


def markdown_row(row: ErrorRow) -> str:
    message = row.message
    if row.deprecated is not None:
        message = f"{message} ({deprecation_note(row.deprecated)})"
    cells = (row.code, row.http_status, message, row.category, "yes" if row.retryable else "no")
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def markdown_table(rows: Iterable[ErrorRow]) -> str:
    return "\n".join([CATALOG_TABLE_HEADER, *(markdown_row(row) for row in rows)])


def catalog_markdown_table(source: Preset | Catalog | Iterable[CatalogEntry]) -> str:
    """The full table of docs/catalog.md: ``| Code | HTTP | Message | Category | Retryable |``."""
    return markdown_table(error_row(entry) for entry in _entries(source))


def render_markdown(doc: ErrorDocumentation) -> str:
    """The page as Markdown: a table per category, then the full catalog table."""
    out: list[str] = [f"# {doc.title}", "", doc.subtitle, ""]
    for section in doc.sections:
        out += [f"## {section.title}", ""]
        if section.kind == FORMAT:
            out += _markdown_format(doc)
        elif section.kind == STATUSES:
            out += _markdown_statuses(doc)
        elif section.kind == LIMITS and doc.limits is not None:
            out += _markdown_limits(doc.limits)
        elif section.kind == PRACTICES:
            out += _markdown_practices(doc)
        elif section.kind == HELP:
            for paragraph in doc.help_text:
                out += [paragraph, ""]
        elif section.category is not None:
            if section.category.description:
                out += [section.category.description, ""]
            out += [markdown_table(section.category.errors), ""]
        if doc.categories and section.category is doc.categories[-1]:
            all_codes = _("All Error Codes")
            out += [f"## {all_codes}", "", markdown_table(doc.errors), ""]
    return "\n".join(out).rstrip() + "\n"


def _markdown_format(doc: ErrorDocumentation) -> list[str]:
    example = doc.example
    caption, field, description = _("Error Response"), _("Field"), _("Description")
    out = [doc.format_intro, "", f"{caption} `{example.status_text}`", ""]
    out += ["```http", f"HTTP/1.1 {example.status_text}"]
    out += [f"{name}: {value}" for name, value in example.headers]
    out += ["```", "", "```json", example.body_json, "```", ""]
    out += [f"| {field} | {description} |", "| --- | --- |"]
    out += [f"| `{field.name}` | {_cell(field.description)} |" for field in doc.fields]
    return [*out, ""]


def _markdown_statuses(doc: ErrorDocumentation) -> list[str]:
    headings = (_("Status"), _("Meaning"), _("Common Causes"), _("Error Codes"))
    out = ["| " + " | ".join(headings) + " |", "| --- | --- | --- | --- |"]
    for row in doc.statuses:
        codes = ", ".join(str(error.code) for error in row.errors)
        out.append(f"| {row.status} | {row.meaning} | {_cell(row.causes)} | {_cell(codes)} |")
    return [*out, ""]


def _markdown_limits(limits: RateLimits) -> list[str]:
    out: list[str] = []
    for paragraph in limits.intro:
        out += [paragraph, ""]
    if limits.rows:
        headings = (_("Limit"), _("Allowance"), _("How it is counted"))
        out += ["| " + " | ".join(headings) + " |", "| --- | --- | --- |"]
        out += [
            f"| `{_cell(row.name)}` | {_cell(row.allowance)} | {_cell(row.counting)} |"
            for row in limits.rows
        ]
        out.append("")
    out += [*(f"- {text}" for text in limits.counting), ""] if limits.counting else []
    return out


def _markdown_practices(doc: ErrorDocumentation) -> list[str]:
    out: list[str] = []
    for practice in doc.practices:
        out += [f"### {practice.title}", "", practice.text, ""]
        if practice.points:
            out += [*(f"- {point}" for point in practice.points), ""]
        if practice.sample:
            out += ["```javascript", practice.sample, "```", ""]
    return out


def documentation_dict(doc: ErrorDocumentation) -> dict[str, Any]:
    """The JSON export: style, header, statuses, categories with their errors, example."""

    example = doc.example
    return {
        "style": doc.style,
        "catalog": doc.catalog,
        "correlation_header": doc.correlation_header,
        "statuses": [
            {
                "status": row.status,
                "meaning": row.meaning,
                "causes": row.causes,
                "codes": [error.code for error in row.errors],
            }
            for row in doc.statuses
        ],
        "categories": [
            {
                "name": category.name,
                "title": category.title,
                "errors": [asdict(row) for row in category.errors],
            }
            for category in doc.categories
        ],
        "example": {
            "condition": example.condition,
            "code": example.code,
            "http_status": example.http_status,
            "content_type": example.content_type,
            "headers": dict(example.headers),
            "body": example.body,
        },
        "retry": {
            "codes": [row.code for row in doc.retry.errors],
            "retry_after_statuses": list(doc.retry.retry_after_statuses),
            "advice": list(doc.retry.advice),
        },
        "limits": None if doc.limits is None else asdict(doc.limits),
    }


def render_json(doc: ErrorDocumentation) -> str:
    return json.dumps(documentation_dict(doc), indent=2, ensure_ascii=False) + "\n"


def render_html(doc: ErrorDocumentation, request: HttpRequest | None = None) -> str:
    """The page as one self-contained HTML document; a project template of the same name
    (``api_errors/error_handling.html``) takes precedence."""
    context = {"doc": doc}
    try:
        return loader.get_template(TEMPLATE_NAME).render(context, request)
    except TemplateDoesNotExist:
        return private_engine().get_template(TEMPLATE_NAME).render(Context(context))


def render(doc: ErrorDocumentation, output_format: str) -> str:
    if output_format == "json":
        return render_json(doc)
    if output_format == "html":
        return render_html(doc)
    return render_markdown(doc)
