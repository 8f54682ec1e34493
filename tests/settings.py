"""Settings for the test suite: the app wired in as the README tells users to."""

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
]

MIDDLEWARE = [
    "api_errors.middleware.ApiErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK: dict[str, object] = {
    "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

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
