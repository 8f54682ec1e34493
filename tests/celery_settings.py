"""Settings of the worker the Celery integration's tests start: the suite's, with the
integrations on from startup, as a project turns them on."""

from tests.settings import *  # noqa: F403

API_ERRORS = {"INTEGRATIONS": ["celery", "structlog"]}
