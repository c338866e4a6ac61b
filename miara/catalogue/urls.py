from django.urls import path

from miara.catalogue import views

app_name = "catalogue"
urlpatterns = [path("catalogue/", views.catalogue_index, name="index")]
