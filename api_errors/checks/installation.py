"""Checks that the app is wired in: the middleware and DRF's exception handler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage

from api_errors.checks.base import message
from api_errors.conf import DRF_EXCEPTION_HANDLER as HANDLER_PATH
from api_errors.conf import MIDDLEWARE_PATH, middleware_installed


def check_installation(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not middleware_installed():
        messages.append(
            message(
                "W001",
                f"{MIDDLEWARE_PATH} is not in MIDDLEWARE.",
                "Without it responses carry no correlation id and plain Django views "
                "answer errors with HTML.",
            )
        )
    handler = getattr(settings, "REST_FRAMEWORK", {}).get("EXCEPTION_HANDLER")
    if handler != HANDLER_PATH:
        messages.append(
            message(
                "W002",
                "REST_FRAMEWORK['EXCEPTION_HANDLER'] is not api_errors' handler.",
                f"Set it to {HANDLER_PATH!r} so DRF views answer with the envelope.",
            )
        )
    return messages
