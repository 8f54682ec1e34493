"""ASGI entry point of the example project (``uvicorn example_project.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")

from example_project.tracing import instrument_from_settings

instrument_from_settings()
application = get_asgi_application()
