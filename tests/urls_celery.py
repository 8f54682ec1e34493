from django.urls import path

from tests import celery_views

urlpatterns = [
    path("api/celery/publish", celery_views.publish),
    path("api/celery/eager", celery_views.run_eagerly),
]
