"""The test URLconf plus the views of the field path tests."""

from django.urls import path

from tests import field_path_views as views
from tests.urls import urlpatterns as base_urlpatterns

urlpatterns = [
    *base_urlpatterns,
    path("api/fields/orders/", views.OrderView.as_view()),
    path("api/fields/line-items/", views.LineItemsView.as_view()),
    path("api/fields/query/", views.QueryView.as_view()),
    path("api/fields/copied-query/", views.CopiedQueryView.as_view()),
    path("api/fields/folders/<str:folder_id>/", views.FolderKwargsView.as_view()),
    path("api/fields/checked-folders/<str:folder_id>/", views.FolderCheckView.as_view()),
    path("api/fields/wallets/", views.WalletListView.as_view()),
    path("api/fields/django-validation/", views.django_validation),
    path("api/fields/async-django-validation/", views.async_django_validation),
    path("api/fields/api-error/", views.api_error),
    path("api/fields/api-error-without-field/", views.api_error_without_field),
    path("api/fields/refused/", views.RefusedView.as_view()),
    path("api/fields/async-api-error/", views.async_api_error),
]
