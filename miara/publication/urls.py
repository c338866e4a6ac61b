from django.urls import path

from miara.publication import views

app_name = "publication"
urlpatterns = [
    path("publication/", views.publication_page, name="index"),
    path("publication/publish/", views.publication_publish_view, name="publish"),
    path("publication/retract/", views.publication_retract_view, name="retract"),
]
