"""``Authorization: Bearer <key>`` authentication against ``ApiKey``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

import api_errors
from example_project.drive.keys import find_key
from example_project.drive.models import ApiKey

KEYWORD = "Bearer"
AUTHENTICATE_HEADER = f'{KEYWORD} realm="api"'


class ApiKeyAuthentication(BaseAuthentication):
    """No header: not authenticated. Unknown or disabled key: failed. Expired key: ClientExpired.

    Every answer is a 401 with ``WWW-Authenticate``: DRF adds it to its own two exceptions
    because ``authenticate_header`` returns one, and ``ClientExpired`` carries it itself.
    """

    def authenticate(self, request: Request) -> tuple[ApiKey, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            return None
        key = key.strip()
        if not key or " " in key:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        api_key = find_key(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if not api_key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been disabled."))
        if api_key.is_expired():
            raise api_errors.ClientExpired(
                _("This API key has expired."),
                headers={"WWW-Authenticate": f'{AUTHENTICATE_HEADER}, error="invalid_token"'},
            )
        return api_key, api_key

    def authenticate_header(self, request: Any) -> str:
        return AUTHENTICATE_HEADER
