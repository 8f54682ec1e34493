"""Settings of the real server: the test settings, with this app's URLs, database and DRF.

Environment: ``REALAPP_DB_PATH`` (the SQLite file) and ``API_ERRORS_STYLE``.
"""

import os

from tests.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "tests.realapp.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("REALAPP_DB_PATH", ":memory:"),
    }
}
# Basic authentication checks the password on every request: keep that fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["api_errors.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_RATES": {"exports": "2/m"},
}

API_ERRORS = {"STYLE": os.environ.get("API_ERRORS_STYLE") or "status"}
# runserver is one process: local memory counts its limits exactly.
SILENCED_SYSTEM_CHECKS = ["api_errors.W003"]

# Server errors and tracebacks to the server's log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "api_errors.correlation.CorrelationIdFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["correlation"]},
    },
    "loggers": {
        "api_errors": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
