from django.urls import path

from miara.processes import views

app_name = "processes"
urlpatterns = [
    path("units/<str:code>/processes/", views.process_map, name="map"),
    path("units/<str:code>/processes/upload/", views.map_upload, name="map_upload"),
    path("units/<str:code>/processes/adopt/", views.model_adopt, name="model_adopt"),
    path("units/<str:code>/processes/map.csv", views.map_download, {"fmt": "csv"}, name="map_csv"),
    path(
        "units/<str:code>/processes/map.xlsx", views.map_download, {"fmt": "xlsx"}, name="map_xlsx"
    ),
    path("units/<str:code>/processes/<str:process>/", views.process_page, name="process"),
]
