"""HTTP values every layer shares: status phrases and whole seconds for ``Retry-After``."""

from __future__ import annotations

import math
from http import HTTPStatus


def status_phrase(status: int) -> str | None:
    """``"Not Found"`` for 404; ``None`` for a status HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


def whole_seconds(seconds: float) -> int:
    """``seconds`` rounded up, never below one: what ``Retry-After`` and ``t=`` may say."""
    return max(1, math.ceil(seconds))
