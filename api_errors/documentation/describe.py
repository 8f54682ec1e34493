"""``describe_errors``: the page's content for the active (or given) style and catalog."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from api_errors.active import catalog_for, preset_for, style_for
from api_errors.catalog.types import Catalog, CatalogEntry, Code
from api_errors.conf import APIErrorsSettings, get_settings
from api_errors.conversion import for_condition, with_retry_after
from api_errors.documentation.guidance import help_text, practices, retry_guidance
from api_errors.documentation.model import (
    CATEGORY,
    CATEGORY_NOTES,
    EXAMPLE_CONDITION,
    EXAMPLE_CORRELATION_ID,
    FORMAT,
    HELP,
    PRACTICES,
    STATUS_NOTES,
    STATUSES,
    SUCCESS_STATUSES,
    CategorySection,
    ErrorDocumentation,
    ErrorRow,
    Example,
    Section,
    StatusRow,
    anchor_for,
    status_text,
)
from api_errors.styles import RenderContext, Style


def settings_with(*, style: str | None = None, catalog: str | None = None) -> APIErrorsSettings:
    """The active settings with ``STYLE`` and ``CATALOG`` overridden (for exports)."""
    user = dict(get_settings().user)
    if style is not None:
        user["STYLE"] = style
    if catalog is not None:
        user["CATALOG"] = catalog
    return APIErrorsSettings(user)


def error_row(entry: CatalogEntry) -> ErrorRow:
    return ErrorRow(**entry.describe(), anchor=anchor_for(entry.code))


def describe_errors(
    conf: APIErrorsSettings | None = None, *, example_path: str | None = None
) -> ErrorDocumentation:
    """The page for ``conf`` (the active settings by default) in the active language."""
    conf = conf or get_settings()
    style, catalog = style_for(conf), catalog_for(conf)
    rows = [error_row(entry) for entry in catalog.entries]
    example = build_example(style, catalog, example_path)
    statuses = status_rows(catalog, rows)
    retry = retry_guidance(rows, statuses)
    categories = category_sections(rows)
    header = conf.CORRELATION_ID_HEADER
    format_section = Section("error-response-format", _("Error Response Format"), FORMAT)
    status_section = Section("http-status-codes", _("HTTP Status Codes"), STATUSES)
    first = (
        [format_section, status_section] if style.format_first else [status_section, format_section]
    )
    sections = (
        *first,
        *(Section(c.anchor, c.title, CATEGORY, category=c) for c in categories),
        Section("best-practices", _("Error Handling Best Practices"), PRACTICES),
        Section("need-help", _("Need Help?"), HELP),
    )
    return ErrorDocumentation(
        style=style.name,
        catalog=preset_for(conf).name,
        title=_("Error Handling"),
        subtitle=_("Understanding error codes, HTTP status codes, and how to handle API errors"),
        correlation_header=header,
        format_intro=style.format_intro(),
        fields=style.fields(),
        example=example,
        statuses=statuses,
        categories=categories,
        retry=retry,
        practices=practices(style, retry),
        help_text=help_text(conf),
        sections=sections,
        errors=tuple(rows),
    )


def example_path_for(code: Code, conf: APIErrorsSettings) -> str:
    """Where the server answers with exactly this example (``api_errors.urls``), if mounted."""
    try:
        return reverse("api_errors:example-error", kwargs={"code": str(code)})
    except NoReverseMatch:
        prefix = conf.API_PREFIXES[0] if conf.API_PREFIXES else "/api/"
        return f"{prefix}examples/errors/{code}/"


def build_example(style: Style, catalog: Catalog, path: str | None = None) -> Example:
    """Render the example through the real conversion and envelope code."""
    conf = style.conf
    error = with_retry_after(for_condition(EXAMPLE_CONDITION, catalog), conf)
    context = RenderContext(
        path=path or example_path_for(error.code, conf),
        correlation_id=EXAMPLE_CORRELATION_ID,
        conf=conf,
    )
    body = style.render(error, context)
    content_type = style.media_type
    headers = (
        ("Content-Type", content_type),
        *error.headers.items(),
        (conf.CORRELATION_ID_HEADER, EXAMPLE_CORRELATION_ID),
    )
    return Example(
        condition=EXAMPLE_CONDITION,
        code=error.code,
        http_status=error.http_status,
        status_text=status_text(error.http_status),
        content_type=content_type,
        headers=headers,
        body=body,
    )


def status_rows(catalog: Catalog, rows: list[ErrorRow]) -> tuple[StatusRow, ...]:
    """200/201, then every status an error of the catalog can be answered with; each code
    once per status, in catalog order. Linear in the catalog's size."""
    by_code = {row.code: row for row in rows}
    position = {id(row): index for index, row in enumerate(rows)}
    codes_by_status: dict[int, dict[Code, ErrorRow]] = {}
    for row in rows:
        codes_by_status.setdefault(row.http_status, {}).setdefault(row.code, row)
    for rule in catalog.conditions.values():
        row_for_rule = by_code.get(rule.code)
        status = catalog.condition_status(rule)
        if row_for_rule is not None and status is not None:
            codes_by_status.setdefault(status, {}).setdefault(row_for_rule.code, row_for_rule)
    result = []
    for status in (*SUCCESS_STATUSES, *sorted(codes_by_status)):
        meaning, causes = STATUS_NOTES.get(status, (None, None))
        listed = codes_by_status.get(status, {}).values()
        result.append(
            StatusRow(
                status=status,
                meaning=str(meaning) if meaning else status_text(status).partition(" ")[2],
                causes=str(causes) if causes else "",
                errors=tuple(sorted(listed, key=lambda row: position[id(row)])),
            )
        )
    return tuple(result)


def category_sections(rows: list[ErrorRow]) -> tuple[CategorySection, ...]:
    """One section per category, in the order categories first appear in the catalog."""
    by_category: dict[str, list[ErrorRow]] = {}
    for row in rows:
        by_category.setdefault(row.category, []).append(row)
    sections = []
    for name, members in by_category.items():
        title, description = CATEGORY_NOTES.get(name, (None, None))
        sections.append(
            CategorySection(
                name=name,
                title=str(title)
                if title
                else _("%(category)s Error Codes") % {"category": name.replace("_", " ").title()},
                description=str(description) if description else "",
                anchor=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + "-error-codes",
                errors=tuple(members),
            )
        )
    return tuple(sections)
