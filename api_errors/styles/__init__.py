"""Envelope styles: the three shipped ones, and the resolver for ``API_ERRORS["STYLE"]``."""

from __future__ import annotations

from typing import Any

from api_errors.conf import resolve, subclass_of
from api_errors.styles.base import (
    JSON,
    PROBLEM_JSON,
    EnvelopeField,
    Practice,
    RenderContext,
    Style,
)
from api_errors.styles.problem import ProblemStyle
from api_errors.styles.status import StatusStyle
from api_errors.styles.success import SuccessStyle

BUILTIN_STYLES: dict[str, type[Style]] = {
    style.name: style for style in (StatusStyle, SuccessStyle, ProblemStyle)
}


def resolve_style(value: Any) -> type[Style]:
    """``"status"``, ``"success"``, ``"problem"``, or a ``Style`` subclass (or its dotted path)."""
    style: type[Style] = resolve(
        "STYLE",
        value,
        accept=subclass_of(Style),
        expected=f"one of {', '.join(BUILTIN_STYLES)} or a dotted path to a Style subclass",
        named=BUILTIN_STYLES,
    )
    return style


__all__ = [
    "BUILTIN_STYLES",
    "JSON",
    "PROBLEM_JSON",
    "EnvelopeField",
    "Practice",
    "ProblemStyle",
    "RenderContext",
    "StatusStyle",
    "Style",
    "SuccessStyle",
    "resolve_style",
]
