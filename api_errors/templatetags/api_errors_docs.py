"""Filters of the "Error Handling" page: inline code and a highlighted JSON example."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

INLINE_CODE = re.compile(r"`([^`]+)`")
JSON_TOKEN = re.compile(
    r'(?P<key>"(?:\\.|[^"\\])*")(?=\s*:)'
    r'|(?P<string>"(?:\\.|[^"\\])*")'
    r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
)


@register.filter
def inline_code(text: object) -> SafeString:
    """Escape ``text`` and show its `backquoted` parts as ``<code>``."""
    return mark_safe(INLINE_CODE.sub(r"<code>\1</code>", escape(str(text))))


@register.filter
def json_highlight(text: object) -> SafeString:
    """Escape JSON text, wrapping keys, strings, numbers and literals in classed spans."""
    source = str(text)
    parts: list[str] = []
    position = 0
    for match in JSON_TOKEN.finditer(source):
        parts.append(escape(source[position : match.start()]))
        kind = match.lastgroup or "string"
        parts.append(format_html('<span class="j-{}">{}</span>', kind, match.group()))
        position = match.end()
    parts.append(escape(source[position:]))
    return mark_safe("".join(parts))


@register.filter
def replacement_link(row: Any) -> SafeString:
    """A link to the row of the code that replaces ``row``'s deprecated one."""
    return format_html('<a href="#{}">{}</a>', row.replacement_anchor, row.replacement)
