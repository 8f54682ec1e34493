"""Every format ``manage.py api_errors_catalog`` prints: the page's and the client modules'."""

from __future__ import annotations

from collections.abc import Callable

from api_errors.conf import APIErrorsSettings
from api_errors.documentation.clients import client_export, render_python, render_typescript
from api_errors.documentation.describe import describe_errors
from api_errors.documentation.model import FORMATS
from api_errors.documentation.renderers import render

CLIENT_FORMATS: dict[str, Callable[[APIErrorsSettings], str]] = {
    "typescript": lambda conf: render_typescript(client_export(conf)),
    "python": lambda conf: render_python(client_export(conf)),
}
EXPORT_FORMATS = (*FORMATS, *CLIENT_FORMATS)


def export(conf: APIErrorsSettings, output_format: str) -> str:
    """``conf``'s catalog in ``output_format`` (one of ``EXPORT_FORMATS``), in the active
    language."""
    client = CLIENT_FORMATS.get(output_format)
    if client is not None:
        return client(conf)
    return render(describe_errors(conf), output_format)
