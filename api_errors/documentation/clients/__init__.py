"""Client modules of the catalog: TypeScript and Python, for the code that calls the API.

``client_export`` collects what a module holds (the codes with their names, messages,
statuses, retry flags and deprecations, and the error body's types translated from the
style's own schema); ``render_typescript`` and ``render_python`` write it.
"""

from __future__ import annotations

from api_errors.documentation.clients.model import ClientExport, NotExportable, client_export
from api_errors.documentation.clients.python import render_python
from api_errors.documentation.clients.typescript import render_typescript

__all__ = ["ClientExport", "NotExportable", "client_export", "render_python", "render_typescript"]
