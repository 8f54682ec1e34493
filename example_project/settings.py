"""Settings of the example project: a drive API wired to api_errors as its README says.

Environment variables:

- ``DJANGO_DEBUG``: ``1``/``true`` turns ``DEBUG`` on (off by default).
- ``DJANGO_SECRET_KEY``: the secret key (a fixed, not secret, default for the demo).
- ``API_ERRORS_STYLE``: ``status`` (default), ``success`` or ``problem``.
- ``API_ERRORS_CATALOG``: ``platform`` or ``drive`` to force a preset; by default the
  style picks its own (status: platform, success and problem: drive).
- ``EXAMPLE_DB_PATH``: the SQLite file (default ``example_project/db.sqlite3``).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-project-not-secret")
DEBUG = env_flag("DJANGO_DEBUG")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "rest_framework",
    "api_errors",
    "example_project.drive",
]

MIDDLEWARE = [
    # First, so it stamps the correlation id on what every other middleware answers.
    "api_errors.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"
CSRF_FAILURE_VIEW = "api_errors.handlers.csrf_failure"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB_PATH") or BASE_DIR / "db.sqlite3",
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en-us"

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["api_errors.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["example_project.drive.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # No django.contrib.auth here: an unauthenticated request's user is None.
    "UNAUTHENTICATED_USER": None,
}

API_ERRORS: dict[str, object] = {"STYLE": os.environ.get("API_ERRORS_STYLE") or "status"}
if os.environ.get("API_ERRORS_CATALOG"):
    API_ERRORS["CATALOG"] = os.environ["API_ERRORS_CATALOG"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation_id": {"()": "api_errors.correlation.CorrelationIdFilter"}},
    "formatters": {
        "console": {
            "format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["correlation_id"],
            "formatter": "console",
        }
    },
    "loggers": {
        "api_errors": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "example_project": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # api_errors already logs every 4xx with its code; keep Django's lines for 5xx only.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
