from django.urls import path

from example_project.drive import views

app_name = "drive"

urlpatterns = [
    path("items/", views.DriveItemListView.as_view(), name="item-list"),
    path("items/<int:pk>/", views.DriveItemDetailView.as_view(), name="item-detail"),
    path("items/<int:pk>/download/", views.DriveItemDownloadView.as_view(), name="item-download"),
    path("imports/", views.ImportView.as_view(), name="imports"),
]
