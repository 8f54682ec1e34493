"""``describe_errors``: the page's content for the active (or given) style and catalog."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from api_errors.active import catalog_for, preset_for, style_for
from api_errors.catalog.types import Catalog, CatalogEntry, Code, Condition, FieldError
from api_errors.conf import APIErrorsSettings, get_settings
from api_errors.conversion import for_condition, with_retry_after
from api_errors.documentation.guidance import help_text, practices, rate_limits, retry_guidance
from api_errors.documentation.model import (
    CATEGORY,
    CATEGORY_NOTES,
    EXAMPLE_CONDITION,
    EXAMPLE_CORRELATION_ID,
    FORMAT,
    HELP,
    LIMITS,
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
from api_errors.validation import sample_field_errors


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
    limits = rate_limits(conf)
    header = conf.CORRELATION_ID_HEADER
    format_section = Section("error-response-format", _("Error Response Format"), FORMAT)
    status_section = Section("http-status-codes", _("HTTP Status Codes"), STATUSES)
    first = (
        [format_section, status_section] if style.format_first else [status_section, format_section]
    )
    sections = (
        *first,
        *(Section(c.anchor, c.title, CATEGORY, category=c) for c in categories),
        *([Section("rate-limits", _("Rate Limits"), LIMITS)] if limits else []),
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
        limits=limits,
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
    errors = example_field_errors(catalog.rule(EXAMPLE_CONDITION).code, catalog)
    error = with_retry_after(for_condition(EXAMPLE_CONDITION, catalog, errors=errors), conf)
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


def example_field_errors(code: Code, catalog: Catalog) -> list[FieldError] | None:
    """The field errors the example of ``code`` shows: a sample for the code answering
    validation errors, so clients see (and can test) the items; none for other codes."""
    rule = catalog.conditions.get(Condition.VALIDATION_ERROR)
    return sample_field_errors() if rule is not None and rule.code == code else None


def entries_by_status(catalog: Catalog) -> dict[int, list[CatalogEntry]]:
    """Every status an error of the catalog can be answered with, ascending, and its entries:
    each code once per status, in catalog order. Linear in the catalog's size."""
    position = {id(entry): index for index, entry in enumerate(catalog.entries)}
    by_status: dict[int, dict[Code, CatalogEntry]] = {}
    for entry in catalog.entries:
        by_status.setdefault(entry.http_status, {}).setdefault(entry.code, entry)
    for rule in catalog.conditions.values():
        answering = catalog.get(rule.code)
        status = catalog.condition_status(rule)
        if answering is not None and status is not None:
            by_status.setdefault(status, {}).setdefault(answering.code, answering)
    return {
        status: sorted(found.values(), key=lambda entry: position[id(entry)])
        for status, found in sorted(by_status.items())
    }


def status_rows(catalog: Catalog, rows: list[ErrorRow]) -> tuple[StatusRow, ...]:
    """200/201, then every status an error of the catalog can be answered with."""
    row_of = {id(entry): row for entry, row in zip(catalog.entries, rows, strict=True)}
    entries = entries_by_status(catalog)
    result = []
    for status in (*SUCCESS_STATUSES, *entries):
        meaning, causes = STATUS_NOTES.get(status, (None, None))
        result.append(
            StatusRow(
                status=status,
                meaning=str(meaning) if meaning else status_text(status).partition(" ")[2],
                causes=str(causes) if causes else "",
                errors=tuple(row_of[id(entry)] for entry in entries.get(status, ())),
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
