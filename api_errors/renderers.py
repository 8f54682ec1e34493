"""A DRF renderer that wraps successful bodies in the active style's envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer

from api_errors.active import get_style
from api_errors.conf import SettingError

# Statuses whose responses have no body (RFC 9110): nothing to wrap.
NO_BODY_STATUSES = frozenset({204, 205, 304})


class EnvelopeJSONRenderer(JSONRenderer):
    """``{"status": true, "error_code": 0, "data": ...}`` or ``{"success": true, "data": ...}``.

    Only 2xx/3xx bodies are wrapped; problem style has no success envelope and passes them on.
    A response that must have no body (204, 205, 304) keeps none.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is None or (
            200 <= response.status_code < 400 and response.status_code not in NO_BODY_STATUSES
        ):
            data = self.wrap(data)
        return super().render(data, accepted_media_type, renderer_context)

    @staticmethod
    def wrap(data: Any) -> Any:
        try:
            style = get_style()
        except SettingError:
            return data  # an unusable STYLE is reported by the checks (api_errors.E003)
        return style.success_body(data)
