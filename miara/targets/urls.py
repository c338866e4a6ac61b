from django.urls import path

from miara.targets import views

app_name = "targets"
urlpatterns = [
    path("units/<str:code>/targets/", views.unit_targets_page, name="unit"),
]
