from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from tests.realapp import views

handler400 = "api_errors.handlers.handler400"
handler403 = "api_errors.handlers.handler403"
handler404 = "api_errors.handlers.handler404"
handler500 = "api_errors.handlers.handler500"


class SchemaView(SpectacularAPIView):
    schema = None  # the schema documents the API, not itself


router = DefaultRouter()
router.register("projects", views.ProjectViewSet)
router.register("tasks", views.TaskViewSet)

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/projects/<int:pk>/summary/", views.project_summary, name="project-summary"),
    path("api/feedback/", views.feedback, name="feedback"),
    path("api/mine/<int:pk>/", views.OwnedProjectView.as_view(), name="owned-project"),
    path("api/exports/projects/", views.ProjectExportView.as_view(), name="project-export"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
]
