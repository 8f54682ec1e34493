from __future__ import annotations

from django.apps import AppConfig


class ApiErrorsConfig(AppConfig):
    name = "api_errors"
    verbose_name = "API errors"

    def ready(self) -> None:
        from api_errors import checks  # noqa: F401  (registers the system checks)
