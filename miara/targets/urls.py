from django.urls import path

from miara.targets import views

app_name = "targets"
urlpatterns = [
    path("units/<str:code>/targets/", views.unit_targets_page, name="unit"),
    path("units/<str:code>/targets/set/", views.target_set_view, name="set"),
    path("units/<str:code>/targets/derive/", views.target_derive_view, name="derive"),
    path("units/<str:code>/targets/delete/", views.target_delete_view, name="delete"),
    path("units/<str:code>/targets/sharing/", views.target_sharing_view, name="sharing"),
    path("units/<str:code>/targets.csv", views.targets_csv, name="csv"),
    path("units/<str:code>/targets/upload/", views.targets_upload, name="upload"),
]
