"""The example's URLs: the drive API, search, and api_errors' catalog and example errors."""

from django.urls import include, path

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
]
