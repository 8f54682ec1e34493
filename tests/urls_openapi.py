from django.urls import path

from tests import openapi_views as views

urlpatterns = [
    path("api/open/", views.OpenView.as_view()),
    path("api/items/<int:item_id>/", views.ItemView.as_view()),
    path("api/session/", views.SessionView.as_view()),
    path("api/limited/", views.LimitedView.as_view()),
    path("api/drf-throttled/", views.DrfThrottledView.as_view()),
    path("api/other-handler/", views.OtherHandlerView.as_view()),
    path("api/broken-throttles/", views.BrokenThrottlesView.as_view()),
]
