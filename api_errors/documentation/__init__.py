"""The "Error Handling" page, generated from the active catalog and style.

``describe_errors`` builds one structured description (response format with a real
example rendered by the envelope code, status table, catalog tables by category, retry
guidance, the correlation header); ``render_markdown``, ``render_json`` and
``render_html`` print it, so the page, the export and the server cannot disagree.
``export`` prints any format ``manage.py api_errors_catalog`` offers, the client modules of
``api_errors.documentation.clients`` (TypeScript, Python) included.
"""

from __future__ import annotations

from api_errors.documentation.describe import (
    describe_errors,
    example_field_errors,
    example_path_for,
    settings_with,
)
from api_errors.documentation.exports import EXPORT_FORMATS, export
from api_errors.documentation.model import (
    EXAMPLE_CORRELATION_ID,
    FORMATS,
    ErrorDocumentation,
    anchor_for,
    status_text,
)
from api_errors.documentation.renderers import (
    catalog_markdown_table,
    render,
    render_html,
    render_json,
    render_markdown,
)

__all__ = [
    "EXAMPLE_CORRELATION_ID",
    "EXPORT_FORMATS",
    "FORMATS",
    "ErrorDocumentation",
    "anchor_for",
    "catalog_markdown_table",
    "describe_errors",
    "example_field_errors",
    "example_path_for",
    "export",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "settings_with",
    "status_text",
]
