"""Settings of the example project: a drive API wired to api_errors as its README says.

Environment variables:

- ``DJANGO_DEBUG``: ``1``/``true`` turns ``DEBUG`` on (off by default).
- ``DJANGO_SECRET_KEY``: the secret key (a fixed, not secret, default for the demo).
- ``API_ERRORS_STYLE``: ``status`` (default), ``success`` or ``problem``.
- ``API_ERRORS_CATALOG``: ``platform`` or ``drive`` to force a preset; by default the
  style picks its own (status: platform, success and problem: drive).
- ``EXAMPLE_DB_PATH``: the SQLite file (default ``example_project/db.sqlite3``).
- ``DATABASE_URL``: ``postgres://user:password@host:port/name`` switches to PostgreSQL
  (psycopg must be installed); SQLite otherwise.
- ``REDIS_URL``: ``redis://host:port/db`` keeps the rate-limit and quota counters in Redis,
  shared by every worker (``make serve``); local memory, one process's own, otherwise.
- ``CACHE_KEY_PREFIX``: the Redis cache's key prefix (empty by default).
- ``EXAMPLE_SEARCH_URL``: ``http://host:port/path`` of a search service that ``/api/search/``
  calls, sending it the request's correlation id; a stand-in that reads the database
  otherwise.

What carries the correlation id beyond the request, each off unless its variable is set:

- ``EXAMPLE_CELERY_BROKER_URL``: ``redis://host:port/db``; each search queues a task that
  logs under the request's id (run the worker: ``celery -A example_project worker``).
  ``EXAMPLE_CELERY_QUEUE`` names its queue (``drive`` by default).
- ``SENTRY_DSN``: events go to this Sentry project, tagged with the correlation id.
- ``EXAMPLE_OTEL_SPANS_FILE``: a file each OpenTelemetry span is appended to, one JSON per
  line, with the correlation id among its attributes; ``EXAMPLE_CORRELATION_ID_FROM_TRACE``
  (``1``) then makes the trace id the correlation id of a request that brings none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def postgres_database(url: str) -> dict[str, Any]:
    """``DATABASES["default"]`` for ``postgres://user:password@host:port/name``."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL names no database: postgres://host/<name>")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Each worker keeps its connection: opening one per request costs more than most
        # requests (a flood of refused calls most of all). Checked before reuse.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-project-not-secret")
DEBUG = env_flag("DJANGO_DEBUG")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served locally, no CDN
    "api_errors",
    "example_project.drive",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "static/"

MIDDLEWARE = [
    # First, so it stamps the correlation id on what every other middleware answers.
    "api_errors.middleware.APIErrorsMiddleware",
    # Accept-Language picks the catalog messages' language; error codes stay the same.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"
CSRF_FAILURE_VIEW = "api_errors.handlers.csrf_failure"

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
DATABASES = {
    "default": postgres_database(DATABASE_URL)
    if DATABASE_URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB_PATH") or BASE_DIR / "db.sqlite3",
    }
}

# The rate-limit and quota counters live in the default cache.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
SILENCED_SYSTEM_CHECKS: list[str] = []
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Several deployments (or test runs) can share one Redis without sharing counts.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # W003 warns that local memory counts per process. runserver (make run) is one process,
    # so its counts are exact; make serve's several workers set REDIS_URL and keep the check.
    SILENCED_SYSTEM_CHECKS.append("api_errors.W003")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("zh-hans", "Simplified Chinese")]

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["api_errors.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["example_project.drive.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # No django.contrib.auth here: an unauthenticated request's user is None.
    "UNAUTHENTICATED_USER": None,
    # Every operation's schema lists the error envelopes it can send.
    "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Example drive API",
    "DESCRIPTION": "Errors follow the Error Handling page at /api/docs/errors/.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}

# The search service, when there is one: the search view calls it and maps its failures to 502.
EXAMPLE_SEARCH_URL = os.environ.get("EXAMPLE_SEARCH_URL", "").strip()

API_ERRORS: dict[str, object] = {
    "STYLE": os.environ.get("API_ERRORS_STYLE") or "status",
    # Clients see what is left of their rate and quota on every paid call, not only on a 429.
    "RATE_LIMIT_HEADERS_ON_SUCCESS": True,
    # The search endpoint's credits: ApiKey.balance, one conditional UPDATE per call.
    "BALANCE_HOOK": "example_project.drive.billing.ApiKeyBalance",
    # A key flooding past its rate is refused in-process until its window ends.
    "LIMITS_REMEMBER_REFUSALS": True,
}
if os.environ.get("API_ERRORS_CATALOG"):
    API_ERRORS["CATALOG"] = os.environ["API_ERRORS_CATALOG"]
if EXAMPLE_SEARCH_URL:
    # The search service is the example's own, so it may see the correlation id; no other
    # host does. An IPv6 address is named in brackets, as in its URL.
    _search_host = urlsplit(EXAMPLE_SEARCH_URL).hostname or ""
    API_ERRORS["OUTGOING_CORRELATION_HOSTS"] = [
        f"[{_search_host}]" if ":" in _search_host else _search_host
    ]

# --- beyond the request: the task queue, Sentry, OpenTelemetry ---------------------------
_integrations: list[str] = []
EXAMPLE_CELERY_BROKER_URL = os.environ.get("EXAMPLE_CELERY_BROKER_URL", "").strip()
if EXAMPLE_CELERY_BROKER_URL:
    # Read by example_project/celery.py (namespace CELERY); no broker, no task is queued.
    CELERY_BROKER_URL = EXAMPLE_CELERY_BROKER_URL
    CELERY_TASK_DEFAULT_QUEUE = os.environ.get("EXAMPLE_CELERY_QUEUE") or "drive"
    CELERY_TASK_IGNORE_RESULT = True  # the tasks only log: no result backend to clean up
    _integrations.append("celery")

SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    _sentry_integrations: list[Any] = [DjangoIntegration()]
    if EXAMPLE_CELERY_BROKER_URL:
        from sentry_sdk.integrations.celery import CeleryIntegration

        _sentry_integrations.append(CeleryIntegration())
    sentry_sdk.init(dsn=SENTRY_DSN, integrations=_sentry_integrations)
    _integrations.append("sentry")

# The tracer itself is set up in wsgi.py and asgi.py, before Django loads the middleware.
EXAMPLE_OTEL_SPANS_FILE = os.environ.get("EXAMPLE_OTEL_SPANS_FILE", "").strip()
if EXAMPLE_OTEL_SPANS_FILE:
    _integrations.append("opentelemetry")
    if env_flag("EXAMPLE_CORRELATION_ID_FROM_TRACE"):
        API_ERRORS["CORRELATION_ID_FROM_TRACE"] = True
if _integrations:
    API_ERRORS["INTEGRATIONS"] = _integrations

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
