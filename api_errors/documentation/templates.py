"""The app's own templates: the page, and its JavaScript samples (never HTML-escaped)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.template import Context, Engine

from api_errors.documentation.model import TEMPLATE_DIR

LIBRARIES = {
    "i18n": "django.templatetags.i18n",
    "api_errors_docs": "api_errors.templatetags.api_errors_docs",
}


@lru_cache(maxsize=1)
def private_engine() -> Engine:
    """For projects whose TEMPLATES cannot find the app's templates (none, or no APP_DIRS),
    and for the samples."""
    return Engine(dirs=[str(TEMPLATE_DIR)], libraries=LIBRARIES)


def render_sample(template_name: str, **context: Any) -> str:
    """A JavaScript sample with ``context`` (already JavaScript, so not HTML-escaped)."""
    template = private_engine().get_template(template_name)
    return template.render(Context(context, autoescape=False)).rstrip("\n")
