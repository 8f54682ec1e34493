"""WSGI entry point of the example project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")

from example_project.tracing import instrument_from_settings

instrument_from_settings()
application = get_wsgi_application()
