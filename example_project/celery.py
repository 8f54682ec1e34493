"""The example's Celery app: ``celery -A example_project worker``, with
``EXAMPLE_CELERY_BROKER_URL`` set for the worker as for the web process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")

app = Celery("example_project")
# CELERY_BROKER_URL, CELERY_TASK_DEFAULT_QUEUE, ... from the Django settings.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
