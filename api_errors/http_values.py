"""HTTP values every layer shares: status phrases, whole seconds for ``Retry-After``,
header names."""

from __future__ import annotations

import math
import re
from http import HTTPStatus

# RFC 9110's token: what a header name may be.
HEADER_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def status_phrase(status: int) -> str | None:
    """``"Not Found"`` for 404; ``None`` for a status HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


def whole_seconds(seconds: float) -> int:
    """``seconds`` rounded up, never below one: what ``Retry-After`` and ``t=`` may say."""
    return max(1, math.ceil(seconds))


def is_header_name(value: object) -> bool:
    return isinstance(value, str) and HEADER_TOKEN.fullmatch(value) is not None
