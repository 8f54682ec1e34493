"""A DRF renderer that wraps successful bodies in the active style's envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer

from api_errors.conf import get_settings
from api_errors.envelopes import render_success_envelope


class EnvelopeJSONRenderer(JSONRenderer):
    """``{"status": true, "error_code": 0, "data": ...}`` or ``{"success": true, "data": ...}``.

    Only 2xx/3xx bodies are wrapped; problem style has no success envelope and passes them on.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is None or response.status_code < 400:
            data = render_success_envelope(data, get_settings().STYLE)
        return super().render(data, accepted_media_type, renderer_context)
