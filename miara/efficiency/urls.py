from django.urls import path

from miara.efficiency import views

app_name = "efficiency"
urlpatterns = [
    path("efficiency/", views.model_list, name="models"),
    path("efficiency/new/", views.model_new, name="new"),
    path("efficiency/<int:pk>/", views.model_page, name="model"),
    path("efficiency/<int:pk>/units/<str:key>/", views.unit_page, name="unit"),
    path("efficiency/<int:pk>/export.<str:fmt>", views.model_export, name="export"),
    path("efficiency/<int:pk>/compute/", views.model_compute_view, name="compute"),
    path("efficiency/<int:pk>/delete/", views.model_delete_view, name="delete"),
]
