from django.urls import path

from miara.units import views

app_name = "units"
urlpatterns = [path("units/", views.unit_list, name="list")]
