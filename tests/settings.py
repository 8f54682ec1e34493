"""Settings for the test suite: the app wired in as the README tells users to."""

import os

from tests.services import POSTGRES_HOST, POSTGRES_PORT, reachable

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.urls"
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework",
    "api_errors",
    "tests",
    "example_project.drive",
    "django_filters",
    "tests.realapp",
]

MIDDLEWARE = [
    "api_errors.middleware.APIErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

DATABASES: dict[str, dict[str, object]] = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
# PostgreSQL (trust auth, database "test") for the concurrency tests, when it is there;
# tests.services decides whether its absence skips or fails them.
if reachable(POSTGRES_HOST, POSTGRES_PORT):
    DATABASES["postgres"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "test",
        "HOST": POSTGRES_HOST,
        "PORT": POSTGRES_PORT,
        "USER": "postgres",
        # One test database per run, so runs side by side do not drop each other's.
        "TEST": {"NAME": f"test_api_errors_{os.getpid()}"},
    }
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK: dict[str, object] = {
    "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    # As the example project's settings: drf-spectacular's @extend_schema takes this class as
    # its base when the decorated view is imported, and the suite imports the example's views.
    "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
}

STATIC_URL = "/static/"
CSRF_FAILURE_VIEW = "api_errors.handlers.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

API_ERRORS: dict[str, object] = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "api_errors.correlation.CorrelationIdFilter"}},
    "handlers": {"null": {"class": "logging.NullHandler", "filters": ["correlation"]}},
    "loggers": {"api_errors": {"handlers": ["null"], "level": "DEBUG"}},
}
