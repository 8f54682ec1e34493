from django.urls import path

from tests import contract_views as views

urlpatterns = [
    path("api/things/special/", views.SpecialThingView.as_view()),
    path("api/things/<int:thing_id>/", views.ThingView.as_view()),
    path("api/client-errors/", views.AnyClientErrorView.as_view()),
    path("api/undocumented-body/", views.UndocumentedBodyView.as_view()),
    path("api/plain/teapot/", views.plain_teapot),
]
