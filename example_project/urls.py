"""The example's URLs: the drive API, search, and api_errors' catalog and example errors."""

from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from example_project.drive.schema import RedocView, SwaggerView
from example_project.drive.views import SearchView

handler400 = "api_errors.handlers.handler400"
handler403 = "api_errors.handlers.handler403"
handler404 = "api_errors.handlers.handler404"
handler500 = "api_errors.handlers.handler500"

urlpatterns = [
    # GET /api/errors/ and GET /api/examples/errors/<code>/
    path("api/", include("api_errors.urls")),
    path("api/drive/", include("example_project.drive.urls")),
    path("api/search/", SearchView.as_view(), name="search"),
    # GET /api/docs/errors/: the Error Handling page, generated from the catalog
    path("api/docs/", include("api_errors.docs_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/swagger/", SwaggerView.as_view(url_name="schema"), name="swagger"),
    path(
        "api/schema/redoc/",
        RedocView.as_view(url_name="schema", template_name="drive/redoc.html"),
        name="redoc",
    ),
    # Swagger UI's and Redoc's files, from drf-spectacular-sidecar, with DEBUG off too:
    # the example runs on runserver and gunicorn without a separate static file server.
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
]
