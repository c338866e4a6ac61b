from django.urls import path

from miara.analytics import views

app_name = "analytics"
urlpatterns = [
    path("units/<str:code>/benchmark/", views.benchmark, name="benchmark"),
    path("units/<str:code>/benchmark.csv", views.benchmark_csv, name="benchmark_csv"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("indicators/<str:code>.csv", views.indicator_csv, name="indicator_csv"),
]
