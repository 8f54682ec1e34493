"""What a failure message shows of a response: its status, the headers errors are judged
by, and the whole body."""

from __future__ import annotations

import json
from typing import Any

from api_errors.conf import get_settings
from api_errors.conversion import KEPT_HEADERS


def parsed_body(response: Any) -> tuple[Any, str | None]:
    """The JSON body, or ``None`` and why there is none."""
    if getattr(response, "streaming", False):
        return None, "a streaming response"
    try:
        return json.loads(response.content), None
    except ValueError as exc:
        return None, str(exc)


def relevant_headers(response: Any) -> list[tuple[str, str]]:
    """Content-Type, the correlation id, and the headers an error response may carry."""
    # The limits package reads DRF's settings when imported: only once a response exists.
    from api_errors.limits.headers import POLICY_HEADER, STATE_HEADER

    names = (
        "Content-Type",
        get_settings().CORRELATION_ID_HEADER,
        *KEPT_HEADERS,
        POLICY_HEADER,
        STATE_HEADER,
    )
    return [(name, response[name]) for name in names if response.has_header(name)]


def shown_body(response: Any) -> str:
    """Pretty JSON, or the body's text when it is not JSON."""
    body, unparsed = parsed_body(response)
    if unparsed is None:
        return json.dumps(body, indent=2, ensure_ascii=False)
    if getattr(response, "streaming", False):
        return "(a streaming body)"
    return response.content.decode("utf-8", "replace") or "(empty)"


def describe_response(response: Any) -> list[str]:
    """The lines that show ``response``: status, relevant headers, body."""
    lines = [f"Response: HTTP {response.status_code}"]
    lines += [f"  {name}: {value}" for name, value in relevant_headers(response)]
    lines += ["Body:", shown_body(response)]
    return lines
