from django.urls import include, path

from tests import views

handler400 = "api_errors.handlers.handler400"
handler403 = "api_errors.handlers.handler403"
handler404 = "api_errors.handlers.handler404"
handler500 = "api_errors.handlers.handler500"

urlpatterns = [
    path("api/", include("api_errors.urls")),
    path("api/drf/raise/<str:name>/", views.DRFRaiseView.as_view()),
    path("api/plain/raise/<str:name>/", views.plain_raise),
    path("api/async/raise/<str:name>/", views.async_raise),
    path("api/drf/validate/", views.DRFValidateView.as_view()),
    path("api/drf/validate-many/", views.DRFValidateManyView.as_view()),
    path("api/drf/auth/", views.DRFAuthView.as_view()),
    path("api/drf/no-auth-header/", views.DRFNoAuthHeaderView.as_view()),
    path("api/drf/ok/", views.DRFOkView.as_view()),
    path("api/plain/ok/", views.plain_ok),
    path("api/plain/correlation/", views.plain_correlation),
    path("api/async/correlation/", views.async_correlation),
    path("api/plain/get-only/", views.get_only),
    path("api/plain/html-error/", views.html_error),
    path("api/plain/json-error/", views.json_error),
    path("api/plain/read-body/", views.read_body),
    path("api/drf/throttled/", views.DRFThrottledView.as_view()),
    path("api/drf/session-auth/", views.DRFSessionAuthView.as_view()),
    path("api/drf/create-then-raise/<str:name>/", views.DRFCreateThenRaiseView.as_view()),
    path("api/plain/ratelimited/", views.plain_ratelimited),
    path("api/plain/html-status/<int:status>/", views.html_status),
    path("api/plain/django-validation/<str:form>/", views.django_validation_form),
    path("api/plain/exact-codes/", views.exact_codes),
    path("pages/raise/<str:name>/", views.plain_raise),
    path("pages/ok/", views.page),
]
